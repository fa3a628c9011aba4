/*
 * Recursion: call-bound code with no loops to speak of. Naive Fibonacci and Takeuchi's function
 * (deep, branchy, nothing to inline away), and a recursive quicksort of pseudo-random keys.
 */
#include <stdlib.h>
#include "kbench.h"

#define FIB  KB_PICK(30, 32, 36, 38)
#define TAK  KB_PICK(18, 20, 22, 24)
#define KEYS KB_PICK(1 << 18, 1 << 20, 1 << 22, 1 << 23)

__attribute__((noinline)) static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static int tak(int x, int y, int z) {
    return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

static void quicksort(unsigned *k, long lo, long hi) {
    while (lo < hi) {
        unsigned pivot = k[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (k[i] < pivot) i++;
            while (k[j] > pivot) j--;
            if (i <= j) { unsigned t = k[i]; k[i++] = k[j]; k[j--] = t; }
        }
        if (j - lo < hi - i) { quicksort(k, lo, j); lo = i; } else { quicksort(k, i, hi); hi = j; }
    }
}

static long fib_iter(int n) { long a = 0, b = 1; while (n--) { long t = a + b; a = b; b = t; } return a; }

int main(void) {
    unsigned *keys = malloc(KEYS * sizeof *keys), x = 2463534242u;
    for (long i = 0; i < KEYS; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; keys[i] = x; }
    double t0 = kb_seconds();
    popcorn_check_migrate();
    long f = fib(FIB);
    popcorn_check_migrate();
    int t = tak(TAK, TAK / 2, TAK / 4);
    popcorn_check_migrate();
    quicksort(keys, 0, KEYS - 1);
    double seconds = kb_seconds() - t0;
    int ok = f == fib_iter(FIB);
    for (long i = 1; i < KEYS; i++) if (keys[i - 1] > keys[i]) ok = 0;
    printf(" RECURSION: fib(%d) = %ld, tak(%d,%d,%d) = %d, %d keys sorted\n", FIB, f, TAK, TAK / 2, TAK / 4, t, KEYS);
    kb_report("RECURSION", seconds, (double)(f + t + keys[KEYS / 2]), ok);
    return ok ? 0 : 1;
}
