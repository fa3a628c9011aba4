package io.hexo.vmm.run;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * One event of {@code hexo run --events=json}: what a front-end (the Eclipse IDE, a VS Code or IntelliJ
 * plug-in, a script) needs to follow a guest without reading hexo's sentences. Written and read here
 * only, so that the writer and every Java reader share one definition; the format is documented in
 * docs/architecture.md, "Event stream".
 *
 * <p>One JSON object per line; every object has {@code "v"} (the format's {@link #VERSION}) and
 * {@code "event"} (the record's {@link #name()}). Readers ignore fields and events they do not know,
 * so adding either keeps the version; renaming or removing one raises it.
 */
public sealed interface RunEvent {
    /** The format's version, the {@code "v"} of every line. */
    int VERSION = 1;

    /** The {@code "event"} field. */
    String name();

    /** The guest's engine is running. {@code pid} is hexo's own process (the one SIGUSR1 migrates). */
    record Started(String isa, String engine, String image, long pid, boolean resumed) implements RunEvent {
        public String name() { return "started"; }
    }

    /** The guest has passed {@code count} migration points since its program started (sampled, so counts may skip). */
    record PointsPassed(long count) implements RunEvent {
        public String name() { return "points"; }
    }

    /** A migration was requested (SIGUSR1, --migrate-after); the guest honours it at its next migration point. */
    record MigrationRequested() implements RunEvent {
        public String name() { return "migration-requested"; }
    }

    /** The guest's checkpoint is complete in {@code path}: {@code bytes} in all, at migration point {@code point}. */
    record CheckpointWritten(String path, long bytes, long point) implements RunEvent {
        public String name() { return "checkpoint"; }
    }

    /**
     * The guest trapped in C function {@code function} (null when unknown); {@code file} and {@code line} are where
     * that function is defined, when the program was built with debug information (-g), else null.
     */
    record Trap(String function, String file, Integer line, String message) implements RunEvent {
        public String name() { return "trap"; }
    }

    /**
     * Progress of a post-copy migration, on either side ({@code role} "source" or "destination"). {@code phase} is
     * one of: serving (the source waits for or serves its destination at {@code address}), resumed (the destination
     * runs the guest while pages follow), handed-over (the destination owns every page; the source may go),
     * taken-back (the source lost its destination before the hand-over and runs the guest on itself), lost (the
     * destination lost its source for good and stopped). Sampled every 100 ms while it changes and at each phase.
     */
    record PostCopyProgress(String role, String phase, String address, long pagesMoved, long pagesTotal,
                            long faultsServed, long prefetchBytesPerSecond) implements RunEvent {
        public String name() { return "postcopy"; }
    }

    /** The run ended: {@code code} is hexo run's exit status; reason one of exited, trapped, checkpointed, failed. */
    record Exit(int code, String reason, String message) implements RunEvent {
        public String name() { return "exit"; }
    }

    /** The event's line, without its newline. */
    default String toJson() {
        JsonObject o = GSON.toJsonTree(this).getAsJsonObject();
        JsonObject line = new JsonObject();
        line.addProperty("v", VERSION);
        line.addProperty("event", name());
        o.entrySet().forEach(e -> line.add(e.getKey(), e.getValue()));
        return GSON.toJson(line);
    }

    /** The event on one line, or null for a line that is no event of this version (a reader skips it). */
    static RunEvent parse(String line) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) return null;
            o = e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            return null;
        }
        if (!o.has("v") || o.get("v").getAsInt() != VERSION || !o.has("event")) return null;
        Class<? extends RunEvent> type = switch (o.get("event").getAsString()) {
            case "started" -> Started.class;
            case "points" -> PointsPassed.class;
            case "migration-requested" -> MigrationRequested.class;
            case "checkpoint" -> CheckpointWritten.class;
            case "trap" -> Trap.class;
            case "postcopy" -> PostCopyProgress.class;
            case "exit" -> Exit.class;
            default -> null;
        };
        return type == null ? null : GSON.fromJson(o, type);
    }

    /** Records are written field by field; nulls are left out. */
    Gson GSON = new Gson();

    /** Outcome's reason word in the exit event. */
    static Exit exitOf(Outcome outcome) {
        if (outcome instanceof Outcome.Exited) return new Exit(outcome.status(), "exited", null);
        if (outcome instanceof Outcome.Trapped t) return new Exit(outcome.status(), "trapped", t.message());
        if (outcome instanceof Outcome.Checkpointed) return new Exit(outcome.status(), "checkpointed", null);
        return new Exit(outcome.status(), "failed", ((Outcome.Failed) outcome).message());
    }
}
