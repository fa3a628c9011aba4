package io.hexo.vmm.hypercall;

import io.hexo.vmm.run.Outcome;

/** Thrown by a hypercall that ends the guest (exit, trap, checkpoint): the run loop stops with it. */
public final class GuestStopped extends RuntimeException {
    private final Outcome outcome;

    public GuestStopped(Outcome outcome) {
        super(null, null, false, false);
        this.outcome = outcome;
    }

    public Outcome outcome() { return outcome; }
}
