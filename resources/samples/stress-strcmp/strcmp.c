/*
 * strcmp against a byte-by-byte reference: strings that end or differ at every byte of an eight-byte
 * word, that start up to 16 bytes before a 4 KiB boundary (either or both), bytes above 0x7f, empty
 * strings and prefixes. Prints how many results differ from the reference (0) and their sum.
 */
#include <stdio.h>
#include <string.h>
#include <hermit/migration.h>

static unsigned char pages[3 * 4096] __attribute__((aligned(4096)));

__attribute__((noinline)) static int reference(const unsigned char *l, const unsigned char *r) {
    while (*l && *l == *r) {
        l++;
        r++;
    }
    return *l - *r;
}

int main(void) {
    long cases = 0, wrong = 0, sum = 0;
    for (int la = 0; la < 4096 && la <= 40; la++) {
        popcorn_check_migrate();
        for (int lb = 0; lb <= 40; lb += 3) {
            for (int off = 0; off < 16; off++) {
                unsigned char *a = pages + 4096 - 16 + off, *b = pages + 2 * 4096 - 9 + (off * 7) % 16;
                for (int d = 0; d <= la; d++) {
                    for (int i = 0; i < la; i++) a[i] = (unsigned char)('A' + (i * 13 + la) % 60);
                    a[la] = 0;
                    for (int i = 0; i < lb; i++) b[i] = i < la ? a[i] : (unsigned char)('a' + i % 26);
                    b[lb] = 0;
                    if (d < lb) b[d] = (unsigned char)(d & 1 ? 0xe9 : a[d] + 1);
                    int got = strcmp((const char *)a, (const char *)b), want = reference(a, b);
                    int back = strcmp((const char *)b, (const char *)a), want_back = reference(b, a);
                    cases += 2;
                    wrong += (got != want) + (back != want_back);
                    sum += want + want_back * 3;
                }
            }
        }
    }
    printf("strcmp: %ld cases, %ld differ from the reference, sum %ld\n", cases, wrong, sum);
    return wrong != 0;
}
