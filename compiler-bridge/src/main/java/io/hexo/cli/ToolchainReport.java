package io.hexo.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.hexo.build.Toolchain;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code hexo check --toolchain [--json]}: the build's {@link Toolchain} as a user reads it, or as a front-end (the IDE's
 * preference page) parses it, so that the list of tools and their Debian packages lives only in compiler-bridge.
 */
final class ToolchainReport {
    private ToolchainReport() {}

    static int print(boolean json) {
        Map<String, Path> status = Toolchain.status();
        boolean complete = status.values().stream().allMatch(p -> p != null);
        if (json) {
            JsonArray tools = new JsonArray();
            status.forEach((name, path) -> {
                JsonObject t = new JsonObject();
                t.addProperty("name", name);
                t.addProperty("package", Toolchain.TOOLS.get(name));
                if (path != null) t.addProperty("path", path.toString());
                tools.add(t);
            });
            JsonObject o = new JsonObject();
            o.add("tools", tools);
            o.addProperty("complete", complete);
            System.out.println(new GsonBuilder().create().toJson(o));
        } else {
            status.forEach((name, path) -> System.out.println(name + ": " + (path != null ? path
                    : "missing: apt-get install " + Toolchain.TOOLS.get(name))));
        }
        return complete ? 0 : 1;
    }
}
