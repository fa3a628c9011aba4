/*
 * Dhrystone-style integer and call-heavy code: small records passed by pointer, string copies and
 * comparisons, a switch, calls through a table of function pointers, globals, all in short functions
 * kept out of line. The checksum depends on every pass, so the check runs the whole thing twice and
 * compares (state left over from the first run would show), and bench/kernels.sh compares the checksum
 * between the native program and the guest on both ISAs.
 */
#include <string.h>
#include "kbench.h"

#define PASSES KB_PICK(2000000L, 5000000L, 20000000L, 50000000L)

enum kind { IDENT1, IDENT2, IDENT3, IDENT4, IDENT5 };
typedef struct record {
    struct record *next;
    enum kind kind;
    int value;
    char text[31];
} record;

static record records[2];
static int glob_int;
static char glob_char, glob_array[64];
static long long checksum;

#define NOINLINE __attribute__((noinline))

NOINLINE static enum kind classify(int v) {
    switch (v % 5) {
    case 0: return IDENT1;
    case 1: return IDENT2;
    case 2: return IDENT3;
    case 3: return IDENT4;
    default: return IDENT5;
    }
}
NOINLINE static int add3(int a, int b, int c) { return a + b + c; }
NOINLINE static int mix(int a, int b) { return (a * 31) ^ (b >> 3); }
NOINLINE static int pick(int a, int b) { return a > b ? a - b : b - a; }
static int (*const ops[3])(int, int) = { mix, pick, mix };

NOINLINE static void fill(record *r, int pass) {
    *r->next = *r; /* structure assignment, as Dhrystone's Proc_1 does */
    r->value = add3(pass & 1023, r->next->value & 255, glob_int);
    r->kind = classify(r->value);
    if (r->kind == IDENT3) strcpy(r->text, "DHRYSTONE PROGRAM, 3'RD STRING");
    else strcpy(r->text, "DHRYSTONE PROGRAM, 2'ND STRING");
}

NOINLINE static int compare(const char *a, const char *b) { return strcmp(a, b) > 0; }

NOINLINE static void one_pass(int pass) {
    char local[31];
    fill(&records[0], pass);
    glob_int = ops[pass % 3](records[0].value, pass) & 0xffff;
    strcpy(local, pass & 1 ? "DHRYSTONE PROGRAM, 1'ST STRING" : "DHRYSTONE PROGRAM, 2'ND STRING");
    glob_char = compare(local, records[0].text) ? 'A' : 'B';
    glob_array[pass & 63] = glob_char;
    for (int i = 0; i < 3; i++) glob_int = add3(glob_int, i, glob_array[(pass + i) & 63]) & 0xffff;
    checksum += glob_int + records[0].kind + glob_char;
}

static long long run(long passes) {
    memset(records, 0, sizeof records);
    records[0].next = &records[1];
    records[1].next = &records[0];
    glob_int = 0;
    checksum = 0;
    memset(glob_array, 0, sizeof glob_array);
    for (long p = 0; p < passes; p++) {
        if ((p & 0xfffff) == 0) popcorn_check_migrate();
        one_pass((int)p);
    }
    return checksum;
}

int main(void) {
    double t0 = kb_seconds();
    long long sum = run(PASSES);
    double seconds = kb_seconds() - t0;
    long long again = run(PASSES);
    int ok = sum == again && sum > 0;
    printf(" DHRY: %ld passes, %.0f passes per second\n", (long)PASSES, PASSES / seconds);
    kb_report("DHRY", seconds, (double)sum, ok);
    return ok ? 0 : 1;
}
