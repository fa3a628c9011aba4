/*
 * stress-bigheap: a large, sparsely touched heap across a migration.
 *
 * Allocates 256 MiB with malloc, writes one byte in every MiB (at an offset
 * that moves from one MiB to the next, so different pages are hit), passes a
 * migration point, then reads the bytes back and sums them.  A second round
 * writes a new pattern after the migration and checks it too.  With
 * post-copy migration most of the heap is never touched and never needs to
 * be transferred.  The last line is a checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <hermit/migration.h>

#define MIB        (1024u * 1024u)
#define HEAP_SIZE  (256u * MIB)
#define STEPS      (HEAP_SIZE / MIB)

static size_t spot(uint32_t i)
{
    /* Somewhere in MiB number i, a different page offset each time. */
    return (size_t)i * MIB + (size_t)((i * 4099u + 17u) % MIB);
}

static unsigned char pattern(uint32_t i, uint32_t round)
{
    return (unsigned char)(i * i * 5u + i * 37u + 11u + round * 101u);
}

int main(void)
{
    unsigned char *heap;
    uint64_t sum, expected_sum;
    uint32_t checksum = 2166136261u, i, round, bad;

    printf("stress-bigheap\n");

    heap = malloc(HEAP_SIZE);
    if (heap == NULL) {
        printf("malloc of %u MiB failed\n", HEAP_SIZE / MIB);
        return 1;
    }
    printf("allocated %u MiB\n", HEAP_SIZE / MIB);

    for (round = 0; round < 2; round++) {
        expected_sum = 0;
        for (i = 0; i < STEPS; i++) {
            heap[spot(i)] = pattern(i, round);
            expected_sum += pattern(i, round);
        }
        printf("round %lu: wrote %lu bytes, one per MiB\n",
               (unsigned long)round, (unsigned long)STEPS);

        popcorn_check_migrate();

        sum = 0;
        bad = 0;
        for (i = 0; i < STEPS; i++) {
            unsigned char v = heap[spot(i)];
            if (v != pattern(i, round))
                bad++;
            sum += v;
            checksum = (checksum ^ v) * 16777619u;
            if (i % 64 == 63)
                popcorn_check_migrate();
        }
        printf("round %lu: sum %llu (expected %llu), %lu wrong bytes\n",
               (unsigned long)round, (unsigned long long)sum,
               (unsigned long long)expected_sum, (unsigned long)bad);
    }

    free(heap);
    printf("checksum %08lx\n", (unsigned long)checksum);
    return 0;
}
