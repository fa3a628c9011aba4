/*
 * stress-float: floating-point values and libm results across a migration.
 *
 * Prints about fifty double and float results of sin, cos, exp, log, sqrt,
 * pow and fma, each in hexadecimal (%a, exact) and decimal (%.17g), with
 * migration points between the groups.  A running sum is carried in a local
 * double across every migration point.  Inputs are read through volatile
 * variables so that the compiler cannot fold the calls at build time: the
 * results come from the C library the program runs with.  The last line is
 * a checksum of the bit patterns.
 *
 * The same wasm module gives the same bits on x86-64 and ARM64.  A native
 * build should use -ffp-contract=off (gcc contracts a*b+c into an FMA on
 * targets that have one), and another C library may differ in the last bit
 * of sin/cos/exp/log/pow.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <hermit/migration.h>

static uint64_t checksum = 0xcbf29ce484222325ULL;
static int lines;

static void mix_bits(uint64_t bits)
{
    int i;
    for (i = 0; i < 8; i++) {
        checksum ^= (bits >> (8 * i)) & 0xffu;
        checksum *= 0x100000001b3ULL;
    }
}

static void show(const char *what, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    mix_bits(bits);
    lines++;
    printf("%-22s = %-24a %.17g\n", what, v, v);
}

/* Subnormals: C libraries disagree on how %a writes them (glibc
 * "0x0.0000000000001p-1022", musl "0x1p-1074"), so print the bits instead. */
static void show_subnormal(const char *what, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    mix_bits(bits);
    lines++;
    printf("%-22s = bits %016llx   %.17g\n", what, (unsigned long long)bits, v);
}

static void showf(const char *what, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    mix_bits(bits);
    lines++;
    printf("%-22s = %-24a %.9g\n", what, (double)v, (double)v);
}

/* Inputs, hidden from constant folding. */
static volatile double d_in[] = {
    0.5, 1.0, 2.0, 3.141592653589793, 1e-3, 10.0, 100.5, 0.1, 7.25, 1e300,
};
static volatile float f_in[] = { 0.5f, 1.0f, 2.5f, 3.1415927f, 0.1f, 10.0f };

int main(void)
{
    double acc = 0.0;   /* carried across every migration point */
    double a, b, c;
    float fa, fb, fc;

    printf("stress-float\n");

    /* sin / cos */
    a = d_in[0]; b = d_in[3]; c = d_in[5];
    show("sin(0.5)", sin(a));           acc += sin(a);
    show("cos(0.5)", cos(a));           acc += cos(a);
    show("sin(pi)", sin(b));            acc += sin(b);
    show("cos(pi)", cos(b));            acc += cos(b);
    show("sin(10)", sin(c));            acc += sin(c);
    show("cos(10)", cos(c));            acc += cos(c);
    show("sin(100.5)", sin(d_in[6]));   acc += sin(d_in[6]);
    show("cos(1e-3)", cos(d_in[4]));    acc += cos(d_in[4]);
    show("sin(1e300)", sin(d_in[9]));   acc += sin(d_in[9]);
    popcorn_check_migrate();

    /* exp / log */
    show("exp(1)", exp(d_in[1]));       acc += exp(d_in[1]);
    show("exp(0.1)", exp(d_in[7]));     acc += exp(d_in[7]);
    show("exp(-7.25)", exp(-d_in[8]));  acc += exp(-d_in[8]);
    show("exp(100.5)", exp(d_in[6]));   acc += exp(d_in[6]) * 1e-40;
    show("log(2)", log(d_in[2]));       acc += log(d_in[2]);
    show("log(10)", log(d_in[5]));      acc += log(d_in[5]);
    show("log(0.1)", log(d_in[7]));     acc += log(d_in[7]);
    show("log(1e300)", log(d_in[9]));   acc += log(d_in[9]);
    show("log(1e-3)", log(d_in[4]));    acc += log(d_in[4]);
    popcorn_check_migrate();

    /* sqrt / pow */
    show("sqrt(2)", sqrt(d_in[2]));             acc += sqrt(d_in[2]);
    show("sqrt(0.1)", sqrt(d_in[7]));           acc += sqrt(d_in[7]);
    show("sqrt(1e300)", sqrt(d_in[9]));         acc += sqrt(d_in[9]) * 1e-150;
    show("sqrt(7.25)", sqrt(d_in[8]));          acc += sqrt(d_in[8]);
    show("pow(2, 0.5)", pow(d_in[2], d_in[0])); acc += pow(d_in[2], d_in[0]);
    show("pow(10, -3)", pow(d_in[5], -3.0));    acc += pow(d_in[5], -3.0);
    show("pow(7.25, 3.14159...)", pow(d_in[8], d_in[3]));
    acc += pow(d_in[8], d_in[3]);
    show("pow(0.1, 7.25)", pow(d_in[7], d_in[8]));
    acc += pow(d_in[7], d_in[8]);
    show("pow(100.5, 10)", pow(d_in[6], d_in[5]));
    acc += pow(d_in[6], d_in[5]) * 1e-20;
    popcorn_check_migrate();

    /* fma: exact products, and the one-rounding difference from a*b+c */
    a = d_in[7]; b = d_in[5]; c = -d_in[1];
    show("fma(0.1, 10, -1)", fma(a, b, c));     acc += fma(a, b, c) * 1e16;
    show("0.1*10 + -1", a * b + c);             acc += a * b + c;
    show("fma(pi, pi, -9.87)", fma(d_in[3], d_in[3], -9.8696044010893580));
    show("fma(1e300, 1e-300, 0.5)", fma(d_in[9], 1e-300, d_in[0]));
    show("fma(7.25, 7.25, 0.1)", fma(d_in[8], d_in[8], d_in[7]));
    acc += fma(d_in[8], d_in[8], d_in[7]);
    popcorn_check_migrate();

    /* float versions */
    fa = f_in[0]; fb = f_in[3]; fc = f_in[4];
    showf("sinf(0.5f)", sinf(fa));              acc += sinf(fa);
    showf("cosf(0.5f)", cosf(fa));              acc += cosf(fa);
    showf("sinf(3.1415927f)", sinf(fb));        acc += sinf(fb);
    showf("cosf(10f)", cosf(f_in[5]));          acc += cosf(f_in[5]);
    showf("expf(2.5f)", expf(f_in[2]));         acc += expf(f_in[2]);
    showf("expf(-10f)", expf(-f_in[5]));        acc += expf(-f_in[5]);
    showf("logf(0.1f)", logf(fc));              acc += logf(fc);
    showf("logf(10f)", logf(f_in[5]));          acc += logf(f_in[5]);
    showf("sqrtf(2.5f)", sqrtf(f_in[2]));       acc += sqrtf(f_in[2]);
    showf("sqrtf(0.1f)", sqrtf(fc));            acc += sqrtf(fc);
    showf("powf(2.5f, 0.5f)", powf(f_in[2], fa));
    acc += powf(f_in[2], fa);
    showf("powf(10f, 2.5f)", powf(f_in[5], f_in[2]));
    acc += powf(f_in[5], f_in[2]);
    showf("fmaf(0.1f, 10f, -1f)", fmaf(fc, f_in[5], -f_in[1]));
    acc += fmaf(fc, f_in[5], -f_in[1]);
    showf("0.1f*10f + -1f", fc * f_in[5] + -f_in[1]);
    popcorn_check_migrate();

    /* special values */
    show("sqrt(-1)", sqrt(-d_in[1]) != sqrt(-d_in[1]) ? 0.0 : -1.0);
    show("log(0)", log(d_in[1] - d_in[1]));
    show("exp(1e300)", exp(d_in[9]));
    show("pow(-2, 0.5) is nan", isnan(pow(-d_in[2], d_in[0])) ? 1.0 : 0.0);
    show("-0.0 * 1", -0.0 * d_in[1]);
    show_subnormal("smallest subnormal", 4.9406564584124654e-324 * d_in[1]);
    show_subnormal("subnormal / 2^10", 2.2250738585072014e-308 * d_in[1] / 1024.0);
    popcorn_check_migrate();

    show("running sum", acc);
    printf("%d values\n", lines);
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}
