package io.hexo.vmm.hypercall;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.memory.GuestMemory;

import java.security.SecureRandom;
import java.time.Instant;

/** Clocks, sleep and randomness. */
public final class ClockCalls implements HypercallFamily {
    private static final int MAX_RANDOM = 1 << 20;

    private final GuestMemory memory;
    private final MigrationControl control;
    private final long startNanos = System.nanoTime();
    private final SecureRandom random = new SecureRandom();

    public ClockCalls(GuestMemory memory, MigrationControl control) {
        this.memory = memory;
        this.control = control;
    }

    @Override
    public void register(HypercallTable t) {
        t.register(Abi.HC_CLOCK, a -> clock(a[0]));
        t.register(Abi.HC_SLEEP, a -> {
            if (a[0] > 0) control.sleep(a[0]);
            return 0;
        });
        t.register(Abi.HC_RANDOM, a -> {
            // WASI random_get fills the whole buffer: in chunks of at most MAX_RANDOM bytes.
            long len = Math.max(a[1], 0);
            memory.check(a[0], len);
            byte[] bytes = new byte[(int) Math.min(len, MAX_RANDOM)];
            for (long done = 0; done < len; done += bytes.length) {
                random.nextBytes(bytes);
                memory.write(a[0] + done, bytes, 0, (int) Math.min(bytes.length, len - done));
            }
            return 0;
        });
    }

    /** WASI clock ids: 0 realtime, 1 monotonic, 2 process and 3 thread CPU time (time since start here). */
    private long clock(long id) {
        if (id < 0 || id > 3) return -Abi.EINVAL; // u64 from the guest: no truncation to an int first
        return switch ((int) id) {
            case 0 -> {
                Instant now = Instant.now();
                yield now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
            case 1 -> System.nanoTime();
            case 2, 3 -> System.nanoTime() - startNanos;
            default -> -Abi.EINVAL;
        };
    }
}
