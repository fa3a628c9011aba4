package io.hexo.ide.dist;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Turns a directory holding {@code plugins/*.jar} (as copied by Maven, with Maven's file names) into a runnable
 * Eclipse: drops jars that are not OSGi bundles, keeps the highest version of each bundle, and writes
 * {@code configuration/config.ini} naming the framework jar, every bundle and the start levels the workbench needs.
 *
 * <p>Usage: {@code Assemble ECLIPSE_DIR [APPLICATION_ID [EXTRA_BUNDLE_JAR...]]}: extra jars are copied in first.
 */
public final class Assemble {

    /** Bundles that must be started early for the workbench (declarative services, events, the registry). */
    private static final Map<String, String> START = Map.of(
            "org.apache.felix.scr", "@2:start",
            "org.eclipse.equinox.common", "@2:start",
            "org.eclipse.equinox.event", "@2:start",
            "org.eclipse.core.runtime", "@start");

    private Assemble() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: Assemble ECLIPSE_DIR [APPLICATION_ID]");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath();
        String application = args.length > 1 ? args[1] : "org.eclipse.ui.ide.workbench";
        Path plugins = root.resolve("plugins");
        Files.createDirectories(plugins);
        for (int i = 2; i < args.length; i++) {
            Path extra = Path.of(args[i]);
            Files.copy(extra, plugins.resolve(extra.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(plugins)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        String framework = null;
        String launcher = null;
        Map<String, Bundle> bundles = new TreeMap<>();
        int dropped = 0;
        for (Path jar : jars) {
            Bundle b = read(jar);
            if (b == null) {
                Files.delete(jar);
                dropped++;
                continue;
            }
            if (b.name.equals("org.eclipse.osgi")) {
                framework = jar.getFileName().toString();
                continue;
            }
            if (b.name.equals("org.eclipse.equinox.launcher")) {
                launcher = jar.getFileName().toString();
                continue;
            }
            Bundle old = bundles.get(b.name);
            if (old != null) {
                Bundle loser = compare(old.version, b.version) >= 0 ? b : old;
                Files.delete(loser.jar);
                dropped++;
                if (loser == old) {
                    bundles.put(b.name, b);
                }
            } else {
                bundles.put(b.name, b);
            }
        }
        if (framework == null || launcher == null) {
            throw new IllegalStateException("no org.eclipse.osgi or org.eclipse.equinox.launcher in " + plugins);
        }
        List<String> entries = new ArrayList<>();
        for (Bundle b : bundles.values()) {
            String level = START.getOrDefault(b.name, b.fragment ? "" : "");
            entries.add("reference:file:" + b.jar.getFileName() + level);
        }
        Path config = root.resolve("configuration");
        Files.createDirectories(config);
        try (Writer w = Files.newBufferedWriter(config.resolve("config.ini"), StandardCharsets.UTF_8)) {
            w.write("# Written by io.hexo.ide.dist.Assemble: the hexo IDE, Eclipse 4.37 from Maven Central.\n");
            w.write("osgi.framework=file:plugins/" + framework + "\n");
            w.write("osgi.bundles=" + String.join(",\\\n  ", entries) + "\n");
            w.write("osgi.bundles.defaultStartLevel=4\n");
            w.write("osgi.configuration.cascaded=false\n");
            w.write("eclipse.application=" + application + "\n");
            w.write("eclipse.product=io.hexo.ide.product\n"); // io.hexo.ide's branding: the window title says hexo
            w.write("osgi.instance.area.default=@user.home/hexo-workspace\n");
            w.write("eclipse.buildId=hexo-ide\n");
            w.write("osgi.splashPath=none\n");
        }
        Files.writeString(root.resolve("launcher.txt"), "plugins/" + launcher + "\n");
        System.out.println("[hexo-ide] " + root + ": " + bundles.size() + " bundles + framework, "
                + dropped + " non-bundle or duplicate jars dropped, application " + application);
    }

    private record Bundle(String name, String version, boolean fragment, Path jar) {
    }

    private static Bundle read(Path jar) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            if (m == null) {
                return null;
            }
            Attributes a = m.getMainAttributes();
            String bsn = a.getValue("Bundle-SymbolicName");
            if (bsn == null) {
                return null;
            }
            String name = bsn.split(";")[0].trim();
            String version = a.getValue("Bundle-Version");
            return new Bundle(name, version == null ? "0" : version.trim(), a.getValue("Fragment-Host") != null, jar);
        }
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0";
            String q = i < y.length ? y[i] : "0";
            int c;
            if (i < 3) {
                c = Long.compare(num(p), num(q));
            } else {
                c = p.compareTo(q);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static long num(String s) {
        try {
            return Long.parseLong(s.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
