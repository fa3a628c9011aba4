/*
 * stress-ctor: code that runs before and after main, across a migration.
 *
 * A constructor runs before main, initialises a table and registers the
 * first atexit handler; main registers the second one, migrates, and
 * returns.  The handlers then run on the machine where the program ends, in
 * reverse order of registration, and print what they find in memory set up
 * on the machine where it started.  The last line is a checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <hermit/migration.h>

static uint32_t table[64];
static int constructor_ran;
static uint32_t checksum = 2166136261u;

static void mix(uint32_t v)
{
    checksum = (checksum ^ v) * 16777619u;
}

static void first_registered(void)
{
    uint32_t sum = 0;
    int i;
    for (i = 0; i < 64; i++)
        sum += table[i];
    mix(sum);
    printf("atexit handler 1 (registered by the constructor, runs last): "
           "table sum %lu\n", (unsigned long)sum);
    printf("checksum %08lx\n", (unsigned long)checksum);
}

static void second_registered(void)
{
    mix(0x2222u + (uint32_t)constructor_ran);
    printf("atexit handler 2 (registered by main, runs first): "
           "constructor_ran=%d table[63]=%lu\n", constructor_ran,
           (unsigned long)table[63]);
}

__attribute__((constructor))
static void setup(void)
{
    int i;
    for (i = 0; i < 64; i++)
        table[i] = (uint32_t)i * (uint32_t)i + 7u;
    constructor_ran = 1;
    mix(0x1111u);
    printf("constructor: table ready, registering atexit handler 1\n");
    if (atexit(first_registered) != 0)
        printf("constructor: atexit failed\n");
}

int main(void)
{
    int i;

    printf("main: constructor_ran=%d\n", constructor_ran);
    if (atexit(second_registered) != 0)
        printf("main: atexit failed\n");

    for (i = 0; i < 3; i++) {
        popcorn_check_migrate();
        table[i] += 1000u;
        mix(table[i]);
        printf("main: step %d, table[%d]=%lu\n", i, i, (unsigned long)table[i]);
    }
    printf("main: returning\n");
    return 0;
}
