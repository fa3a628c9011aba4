/*
 * NPB IS -- the NAS Parallel Benchmarks Integer Sort kernel, serial version,
 * written for hexo from the NPB 3.3 specification.
 *
 * The benchmark ranks (counts the keys smaller than) each of N integer keys
 * drawn from [0, MAX_KEY), ten times over, with two keys changed before every
 * ranking.  Keys come from the NPB linear congruential generator; ranking uses
 * a bucket pass followed by a counting pass inside each bucket.  Each ranking
 * is checked at five published positions (partial verification) and the last
 * one is used to sort the keys, which must come out in order (full
 * verification).
 *
 * Migration: the unikernel may move between x86-64 and ARM64 at the
 * popcorn_check_migrate() call at the top of each timed iteration.
 *
 * Build a class with -DCLASS=S|W|A|B|C (default A), see npbparams.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <hermit/migration.h>

#include "npbparams.h"

/* ------------------------------------------------------------------------ */
/* Sizes                                                                    */

#define TOTAL_KEYS       (1 << TOTAL_KEYS_LOG_2)
#define MAX_KEY          (1 << MAX_KEY_LOG_2)
#define NUM_BUCKETS      (1 << NUM_BUCKETS_LOG_2)
#define NUM_KEYS         TOTAL_KEYS
#define SIZE_OF_BUFFERS  NUM_KEYS

#define MAX_ITERATIONS   10
#define TEST_ARRAY_SIZE  5

/* Keys per bucket, as a shift: bucket(key) = key >> BUCKET_SHIFT. */
#define BUCKET_SHIFT     (MAX_KEY_LOG_2 - NUM_BUCKETS_LOG_2)
#define KEYS_PER_BUCKET  (1 << BUCKET_SHIFT)

/* Every class fits in 32 bits: 2^27 keys at most. */
typedef int INT_TYPE;

/* ------------------------------------------------------------------------ */
/* Published verification data: for each class, five positions in the key   */
/* array and the rank the key found there must have (before the per-        */
/* iteration correction applied in partial_verify()).                       */

#if CLASS == 'S'
static const INT_TYPE test_index_array[TEST_ARRAY_SIZE] =
    { 48427, 17148, 23627, 62548, 4431 };
static const INT_TYPE test_rank_array[TEST_ARRAY_SIZE] =
    { 0, 18, 346, 64917, 65463 };
#elif CLASS == 'W'
static const INT_TYPE test_index_array[TEST_ARRAY_SIZE] =
    { 357773, 934767, 875723, 898999, 404505 };
static const INT_TYPE test_rank_array[TEST_ARRAY_SIZE] =
    { 1249, 11698, 1039987, 1043896, 1048018 };
#elif CLASS == 'A'
static const INT_TYPE test_index_array[TEST_ARRAY_SIZE] =
    { 2112377, 662041, 5336171, 3642833, 4250760 };
static const INT_TYPE test_rank_array[TEST_ARRAY_SIZE] =
    { 104, 17523, 123928, 8288932, 8388264 };
#elif CLASS == 'B'
static const INT_TYPE test_index_array[TEST_ARRAY_SIZE] =
    { 41869, 812306, 5102857, 18232239, 26860214 };
static const INT_TYPE test_rank_array[TEST_ARRAY_SIZE] =
    { 33422937, 10244, 59149, 33135281, 99 };
#elif CLASS == 'C'
static const INT_TYPE test_index_array[TEST_ARRAY_SIZE] =
    { 44172927, 72999161, 74326391, 129606274, 21736814 };
static const INT_TYPE test_rank_array[TEST_ARRAY_SIZE] =
    { 61147, 882988, 266290, 133997595, 133525895 };
#else
#error "npb-is: no verification data for this CLASS"
#endif

/* ------------------------------------------------------------------------ */
/* State.  Static arrays, as in the reference design (they end up in .bss,  */
/* i.e. in the checkpoint's bss image).  Class B: 2 x 128 MiB + 8 MiB.       */

static INT_TYPE key_array[SIZE_OF_BUFFERS];   /* the keys                   */
static INT_TYPE key_buff2[SIZE_OF_BUFFERS];   /* keys grouped by bucket     */
static INT_TYPE key_buff1[MAX_KEY];           /* key counts, then ranks     */
static INT_TYPE bucket_size[NUM_BUCKETS];
static INT_TYPE bucket_ptrs[NUM_BUCKETS];
static INT_TYPE partial_verify_vals[TEST_ARRAY_SIZE];

static int passed_verification;

/* From c_timers.c and c_print_results.c */
void   timer_clear(int n);
void   timer_start(int n);
void   timer_stop(int n);
double timer_read(int n);
void   c_print_results(const char *name, char class_letter,
                       int n1, int n2, int n3, int niter,
                       double t, double mops, const char *optype,
                       int passed_verification,
                       const char *npbversion, const char *compiletime,
                       const char *cc, const char *clink, const char *c_lib,
                       const char *c_inc, const char *cflags,
                       const char *clinkflags);

/* ------------------------------------------------------------------------ */
/* The NPB pseudo-random number generator.                                  */
/*                                                                          */
/* x(k+1) = a * x(k) mod 2^46, returned as x(k+1) / 2^46 in (0, 1).          */
/* Only doubles are used: a and x are split into 23-bit halves so that      */
/* every partial product is exact in a 53-bit mantissa.  The results are    */
/* therefore the same on every IEEE-754 machine, x86-64 and ARM64 alike.    */

static double randlc(double *x, const double *a)
{
    const double r23 = 1.0 / 8388608.0;          /* 2^-23 */
    const double r46 = r23 * r23;                /* 2^-46 */
    const double t23 = 8388608.0;                /* 2^23  */
    const double t46 = t23 * t23;                /* 2^46  */

    double a_hi, a_lo, x_hi, x_lo;
    double mid, carry, lo23, whole, wraps;

    /* a = 2^23 * a_hi + a_lo */
    a_hi = (double)(long)(r23 * *a);
    a_lo = *a - t23 * a_hi;

    /* x = 2^23 * x_hi + x_lo */
    x_hi = (double)(long)(r23 * *x);
    x_lo = *x - t23 * x_hi;

    /* Cross terms, reduced mod 2^23: they are shifted up by 23 bits below,
     * so anything above bit 23 would fall off the 46-bit result anyway. */
    mid = a_hi * x_lo + a_lo * x_hi;
    carry = (double)(long)(r23 * mid);
    lo23 = mid - t23 * carry;

    /* a*x mod 2^46 = (2^23 * lo23 + a_lo * x_lo) mod 2^46 */
    whole = t23 * lo23 + a_lo * x_lo;
    wraps = (double)(long)(r46 * whole);
    *x = whole - t46 * wraps;

    return r46 * *x;
}

/* ------------------------------------------------------------------------ */
/* Key generation: each key is MAX_KEY/4 times the sum of four uniform      */
/* numbers, which gives a roughly Gaussian spread over [0, MAX_KEY).         */

static void create_seq(double seed, double a)
{
    const INT_TYPE quarter = MAX_KEY / 4;
    INT_TYPE i;
    double x;

    for (i = 0; i < NUM_KEYS; i++) {
        x  = randlc(&seed, &a);
        x += randlc(&seed, &a);
        x += randlc(&seed, &a);
        x += randlc(&seed, &a);
        key_array[i] = (INT_TYPE)(quarter * x);
    }
}

/* ------------------------------------------------------------------------ */
/* Partial verification: the key that sat at test_index_array[i] when this  */
/* ranking started must have the published rank, shifted by an amount that  */
/* depends on the iteration (each iteration plants a small key and a large  */
/* key, which moves some of the test keys by one place per iteration).      */

static void partial_verify(int iteration)
{
    int i;

    for (i = 0; i < TEST_ARRAY_SIZE; i++) {
        INT_TYPE k = partial_verify_vals[i];
        INT_TYPE expected;
        INT_TYPE key_rank;

        if (!(0 < k && k <= NUM_KEYS - 1))
            continue;

        key_rank = key_buff1[k - 1];   /* keys strictly smaller than k */

#if CLASS == 'S'
        expected = (i <= 2) ? test_rank_array[i] + iteration
                            : test_rank_array[i] - iteration;
#elif CLASS == 'W'
        expected = (i < 2) ? test_rank_array[i] + (iteration - 2)
                           : test_rank_array[i] - iteration;
#elif CLASS == 'A'
        expected = (i <= 2) ? test_rank_array[i] + (iteration - 1)
                            : test_rank_array[i] - (iteration - 1);
#elif CLASS == 'B'
        expected = (i == 1 || i == 2 || i == 4)
                       ? test_rank_array[i] + iteration
                       : test_rank_array[i] - iteration;
#else /* 'C' */
        expected = (i <= 2) ? test_rank_array[i] + iteration
                            : test_rank_array[i] - iteration;
#endif
        if (key_rank == expected)
            passed_verification++;
        else
            printf("Failed partial verification: iteration %d, test key %d\n",
                   iteration, i);
    }
}

/* ------------------------------------------------------------------------ */
/* One ranking.  Afterwards key_buff1[v] is the number of keys <= v, and    */
/* key_buff2 holds the keys grouped by bucket (used by full_verify).         */

static void rank(int iteration)
{
    INT_TYPE i, k, b;

    /* The two keys planted by this iteration. */
    key_array[iteration] = iteration;
    key_array[iteration + MAX_ITERATIONS] = MAX_KEY - iteration;

    /* Remember the keys at the test positions before they are ranked. */
    for (i = 0; i < TEST_ARRAY_SIZE; i++)
        partial_verify_vals[i] = key_array[test_index_array[i]];

    /* 1. How many keys fall into each bucket. */
    for (b = 0; b < NUM_BUCKETS; b++)
        bucket_size[b] = 0;
    for (i = 0; i < NUM_KEYS; i++)
        bucket_size[key_array[i] >> BUCKET_SHIFT]++;

    /* 2. Where each bucket starts in key_buff2. */
    bucket_ptrs[0] = 0;
    for (b = 1; b < NUM_BUCKETS; b++)
        bucket_ptrs[b] = bucket_ptrs[b - 1] + bucket_size[b - 1];

    /* 3. Distribute the keys; afterwards bucket_ptrs[b] is the end of
     *    bucket b (= the start of bucket b+1). */
    for (i = 0; i < NUM_KEYS; i++) {
        INT_TYPE key = key_array[i];
        key_buff2[bucket_ptrs[key >> BUCKET_SHIFT]++] = key;
    }

    /* 4. Inside each bucket: count every key value, then turn the counts
     *    into running totals, starting from the number of keys in all lower
     *    buckets.  The buckets cover disjoint key ranges in increasing
     *    order, so the totals are global ranks. */
    for (b = 0; b < NUM_BUCKETS; b++) {
        INT_TYPE first_key = b * KEYS_PER_BUCKET;
        INT_TYPE last_key = first_key + KEYS_PER_BUCKET;  /* exclusive */
        INT_TYPE start = (b > 0) ? bucket_ptrs[b - 1] : 0;
        INT_TYPE end = bucket_ptrs[b];

        for (k = first_key; k < last_key; k++)
            key_buff1[k] = 0;
        for (k = start; k < end; k++)
            key_buff1[key_buff2[k]]++;

        key_buff1[first_key] += start;
        for (k = first_key + 1; k < last_key; k++)
            key_buff1[k] += key_buff1[k - 1];
    }

    partial_verify(iteration);
}

/* ------------------------------------------------------------------------ */
/* Full verification: use the final ranks to place every key at its sorted  */
/* position, then count keys that are out of order.                         */

static void full_verify(void)
{
    INT_TYPE i, out_of_order = 0;

    /* key_buff1[v] is one past the last slot for value v: fill downwards. */
    for (i = 0; i < NUM_KEYS; i++) {
        INT_TYPE key = key_buff2[i];
        key_array[--key_buff1[key]] = key;
    }

    for (i = 1; i < NUM_KEYS; i++)
        if (key_array[i - 1] > key_array[i])
            out_of_order++;

    if (out_of_order != 0)
        printf("Full_verify: number of keys out of sort: %ld\n",
               (long)out_of_order);
    else
        passed_verification++;
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    int iteration;
    double timecounter;

    printf("\n\n NAS Parallel Benchmarks (NPB3.3-SER) - IS Benchmark\n\n");
    printf(" Size:  %ld  (class %c)\n", (long)TOTAL_KEYS, CLASS);
    printf(" Iterations:  %d\n", MAX_ITERATIONS);
    printf("\n");
    fflush(stdout);

    timer_clear(0);

    /* Generate the keys with the benchmark's seed and multiplier (5^13). */
    create_seq(314159265.00, 1220703125.00);

    /* One untimed ranking to touch all the memory; its verification
     * results are discarded. */
    rank(1);
    passed_verification = 0;

    printf("\n   iteration\n");
    fflush(stdout);

    timer_start(0);
    for (iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
        popcorn_check_migrate();   /* the unikernel may migrate here */
        printf("%9d\n", iteration);
        fflush(stdout);
        rank(iteration);
    }
    timer_stop(0);
    timecounter = timer_read(0);

    full_verify();

    /* 5 test keys per iteration + the sort check. */
    if (passed_verification != TEST_ARRAY_SIZE * MAX_ITERATIONS + 1)
        passed_verification = 0;

    c_print_results("IS", CLASS, TOTAL_KEYS, 0, 0, MAX_ITERATIONS,
                    timecounter,
                    timecounter > 0.0
                        ? ((double)(MAX_ITERATIONS * (double)TOTAL_KEYS))
                              / timecounter / 1000000.0
                        : 0.0,
                    "keys ranked", passed_verification,
                    NPBVERSION, COMPILETIME,
                    NPB_CC, NPB_CLINK, NPB_C_LIB, NPB_C_INC,
                    NPB_CFLAGS, NPB_CLINKFLAGS);

    return passed_verification ? 0 : 1;
}
