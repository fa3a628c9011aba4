package io.hexo.build;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where hexo's resources (guest kernel, headers, runtime, samples) are: the hexo.home system property
 * (set by the launcher and the tests), HEXO_HOME, or the checkout this jar was built in.
 */
public final class HexoHome {
    private HexoHome() {}

    public static Path get() {
        String prop = System.getProperty("hexo.home");
        if (prop == null || prop.isEmpty()) prop = System.getenv("HEXO_HOME");
        if (prop != null && !prop.isEmpty()) return Path.of(prop).toAbsolutePath().normalize();
        try {
            Path jar = Path.of(HexoHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("resources/guest"))) return p;
            }
        } catch (URISyntaxException | SecurityException ignored) {
            // fall through to the error below
        }
        throw new IllegalStateException("cannot find hexo's resources: set HEXO_HOME to the hexo directory");
    }

    public static Path resources() {
        return get().resolve("resources");
    }
}
