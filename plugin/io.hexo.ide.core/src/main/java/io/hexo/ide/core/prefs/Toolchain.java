package io.hexo.ide.core.prefs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.hexo.ide.core.HexoCli;

/**
 * The tools hexo build needs, as {@code hexo check --toolchain --json} reports them: the list and the Debian packages
 * live in compiler-bridge's Toolchain only, so the preference page can never disagree with the build.
 */
public final class Toolchain {

    /** One tool: its name, the Debian package to install, where it was found (null = missing). */
    public record Tool(String name, String debianPackage, Path foundAt) {
        public boolean found() {
            return foundAt != null;
        }

        public String describe() {
            return found() ? name + ": found (" + foundAt + ")"
                    : name + ": missing - install with: apt-get install " + debianPackage;
        }
    }

    /** What hexo said: its tools, or why it could not be asked. */
    public record Report(List<Tool> tools, String problem) {
    }

    private Toolchain() {
    }

    public static Report check() {
        String hexo = HexoCli.executable();
        try {
            Process p = new ProcessBuilder(hexo, "check", "--toolchain", "--json").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(1 << 16);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Report(List.of(), hexo + " check --toolchain did not answer in 60 s");
            }
            List<Tool> tools = new ArrayList<>();
            JsonObject o = JsonParser.parseString(new String(out, StandardCharsets.UTF_8)).getAsJsonObject();
            for (JsonElement e : o.getAsJsonArray("tools")) {
                JsonObject t = e.getAsJsonObject();
                tools.add(new Tool(t.get("name").getAsString(), t.get("package").getAsString(),
                        t.has("path") ? Path.of(t.get("path").getAsString()) : null));
            }
            return new Report(List.copyOf(tools), null);
        } catch (IOException e) {
            return new Report(List.of(), "cannot run " + hexo + " (" + e.getMessage() + "): set hexo home below");
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            return new Report(List.of(), hexo + " check --toolchain --json gave no toolchain report: is hexo home the hexo tree?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Report(List.of(), "interrupted");
        }
    }
}
