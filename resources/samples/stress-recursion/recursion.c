/*
 * stress-recursion: migration deep inside a call stack.
 *
 * Three phases, each with a migration point in every call, before and after
 * the recursive call, so that a migration can catch the program at any depth
 * on the way down or on the way back up:
 *   1. linear recursion 2000 levels deep; every frame keeps an integer and a
 *      double that are only used again when the call below has returned;
 *   2. two mutually recursive functions, 300 levels, whose frames hold small
 *      arrays and a pointer to the caller's frame, read back on the way up;
 *   3. a call tree (Fibonacci-shaped, about 8 000 calls).
 * Output is deterministic; the last line is a checksum.
 *
 * Stack use: at -O1 and above the 2000-level recursion keeps its state in
 * wasm locals and needs almost no linear-memory stack; at -O0 every local is
 * spilled there (about 64 bytes a level), which overflows wasm-ld's default
 * 64 KiB stack: build -O0 with -Wl,-z,stack-size=262144 or more.
 */
#include <stdio.h>
#include <stdint.h>
#include <hermit/migration.h>

#define LINEAR_DEPTH  2000
#define MUTUAL_DEPTH  300
#define TREE_N        18

static uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

/* ---- phase 1 ----------------------------------------------------------- */

static int deepest_level;

static uint64_t dive(int level, uint64_t carried, double weight)
{
    /* State of this frame, needed after the call below returns. */
    uint64_t here = carried * 6364136223846793005ULL + (uint64_t)level;
    double w = weight * 0.5 + (double)(level % 7);   /* exact in binary */
    uint64_t below;

    popcorn_check_migrate();
    if (level == LINEAR_DEPTH) {
        deepest_level = level;
        return here;
    }
    below = dive(level + 1, here, w);
    popcorn_check_migrate();

    return mix64(below, here) ^ (uint64_t)(w * 1024.0);
}

/* ---- phase 2 ----------------------------------------------------------- */

struct frame {
    const struct frame *caller;
    uint32_t vals[8];
    int level;
};

static uint32_t pong(const struct frame *caller, int level);

/* Sum of one value from each of the (up to) five frames above f. */
static uint32_t look_up(const struct frame *f)
{
    uint32_t s = 0;
    int n;
    for (n = 0; n < 5 && f != NULL; n++, f = f->caller)
        s = s * 33u + f->vals[(unsigned)f->level % 8u];
    return s;
}

static void fill(struct frame *f, const struct frame *caller, int level,
                 uint32_t salt)
{
    int i;
    f->caller = caller;
    f->level = level;
    for (i = 0; i < 8; i++)
        f->vals[i] = (uint32_t)level * 2654435761u + (uint32_t)i * salt +
                     (caller ? caller->vals[i] : 0u);
}

static uint32_t ping(const struct frame *caller, int level)
{
    struct frame f;
    uint32_t r;

    fill(&f, caller, level, 0x01000193u);
    popcorn_check_migrate();
    r = (level < MUTUAL_DEPTH) ? pong(&f, level + 1) : 0x811c9dc5u;
    popcorn_check_migrate();
    return (r ^ look_up(&f)) * 16777619u;
}

static uint32_t pong(const struct frame *caller, int level)
{
    struct frame f;
    uint32_t r;

    fill(&f, caller, level, 0x5bd1e995u);
    popcorn_check_migrate();
    r = (level < MUTUAL_DEPTH) ? ping(&f, level + 1) : 0x27d4eb2du;
    popcorn_check_migrate();
    return (r + look_up(&f)) ^ (r >> 7);
}

/* ---- phase 3 ----------------------------------------------------------- */

static long tree_calls;

static long tree(int n)
{
    long a, b;
    tree_calls++;
    popcorn_check_migrate();
    if (n < 2)
        return n;
    a = tree(n - 1);
    popcorn_check_migrate();
    b = tree(n - 2);
    return a + b;
}

int main(void)
{
    uint64_t r1, checksum;
    uint32_t r2;
    long r3;

    printf("stress-recursion\n");

    r1 = dive(0, 12345u, 1.0);
    printf("phase 1: linear recursion, deepest level %d, result %016llx\n",
           deepest_level, (unsigned long long)r1);

    r2 = ping(NULL, 0);
    printf("phase 2: mutual recursion over %d linked frames, result %08lx\n",
           MUTUAL_DEPTH + 1, (unsigned long)r2);

    r3 = tree(TREE_N);
    printf("phase 3: call tree fib(%d) = %ld in %ld calls\n",
           TREE_N, r3, tree_calls);

    checksum = mix64(mix64(r1, r2), (uint64_t)r3 * 1000003u + (uint64_t)tree_calls);
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}
