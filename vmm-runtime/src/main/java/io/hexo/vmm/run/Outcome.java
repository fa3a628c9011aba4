package io.hexo.vmm.run;

import java.nio.file.Path;

/** How a guest run ended. The CLI maps each to an exit status; the IDE shows it. */
public sealed interface Outcome {
    /** hexo's exit status for this outcome (the guest's own code when it exited). */
    int status();

    /** The program exited (returned from main or called exit). */
    record Exited(int code) implements Outcome {
        public int status() { return code; }
    }

    /** The guest stopped abnormally; message is one sentence naming the trap and, if known, the function. */
    record Trapped(int kind, long pc, long address, String function, String message) implements Outcome {
        public int status() { return STATUS_TRAP; }
    }

    /** The guest stopped at a migration point and its checkpoint is complete in dir. */
    record Checkpointed(Path dir, long pointsReached) implements Outcome {
        public int status() { return STATUS_CHECKPOINTED; }
    }

    /** hexo could not run or resume the guest; message says why and what to do. */
    record Failed(String message) implements Outcome {
        public int status() { return STATUS_FAILED; }
    }

    /** EX_SOFTWARE: the guest trapped. */
    int STATUS_TRAP = 70;
    /** EX_TEMPFAIL: "try again later" — resume the checkpoint with --resume. */
    int STATUS_CHECKPOINTED = 75;
    /** hexo itself could not do what was asked. */
    int STATUS_FAILED = 2;
}
