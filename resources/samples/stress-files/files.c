/*
 * stress-files: open files across a migration.
 *
 * Creates in.txt, reopens it for reading with a small stdio buffer (so the
 * rest of it must be read from the file descriptor, at the right offset,
 * after a migration), and writes out.txt with fprintf, keeping it open over
 * a migration point.  Then writes more, seeks back, overwrites a few bytes,
 * reads everything back and prints it, closes both files and removes them.
 * Run it in a writable working directory.  The last line is a checksum of
 * every byte read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <hermit/migration.h>

static uint32_t checksum = 2166136261u;

static void mix_text(const char *s)
{
    for (; *s != '\0'; s++)
        checksum = (checksum ^ (unsigned char)*s) * 16777619u;
}

static void fail(const char *what)
{
    printf("FAILED: %s\n", what);
    exit(1);
}

static char in_buffer[48];   /* deliberately smaller than in.txt */

int main(void)
{
    FILE *in, *out;
    char line[128];
    long pos, size;
    int i, n;

    printf("stress-files\n");

    /* The file to read: write it, close it, open it again for reading. */
    in = fopen("in.txt", "w");
    if (in == NULL)
        fail("create in.txt");
    for (i = 1; i <= 12; i++)
        fprintf(in, "input %02d: %s\n", i, i % 2 ? "odd" : "even");
    fclose(in);

    in = fopen("in.txt", "r");
    if (in == NULL)
        fail("open in.txt for reading");
    if (setvbuf(in, in_buffer, _IOFBF, sizeof in_buffer) != 0)
        fail("setvbuf");
    for (i = 0; i < 4 && fgets(line, sizeof line, in) != NULL; i++) {
        printf("read before: %s", line);
        mix_text(line);
    }

    /* The file to write, kept open across the migration point. */
    out = fopen("out.txt", "w+");
    if (out == NULL)
        fail("create out.txt");
    for (i = 0; i < 5; i++)
        fprintf(out, "line %d written before migration, square %d\n", i, i * i);
    printf("out.txt position before migration: %ld\n", ftell(out));

    popcorn_check_migrate();

    for (i = 5; i < 10; i++)
        fprintf(out, "line %d written after migration, cube %d\n", i, i * i * i);
    fputs("last line\n", out);
    printf("out.txt position after writing more: %ld\n", ftell(out));

    /* The rest of in.txt comes from the descriptor's offset. */
    n = 0;
    while (fgets(line, sizeof line, in) != NULL) {
        printf("read after: %s", line);
        mix_text(line);
        n++;
    }
    printf("in.txt: %d more lines, at end: %s\n", n, feof(in) ? "yes" : "no");

    /* Overwrite "line 3" with "LINE 3", then read the whole file back. */
    if (fseek(out, 0, SEEK_SET) != 0)
        fail("rewind out.txt");
    pos = -1;
    while (fgets(line, sizeof line, out) != NULL) {
        if (strncmp(line, "line 3 ", 7) == 0) {
            pos = ftell(out) - (long)strlen(line);
            break;
        }
    }
    if (pos < 0)
        fail("find line 3");
    if (fseek(out, pos, SEEK_SET) != 0 || fputs("LINE", out) == EOF)
        fail("overwrite");
    popcorn_check_migrate();

    if (fseek(out, 0, SEEK_END) != 0)
        fail("seek to end");
    size = ftell(out);
    printf("out.txt size: %ld, line 3 at offset %ld\n", size, pos);
    rewind(out);
    while (fgets(line, sizeof line, out) != NULL) {
        printf("out.txt: %s", line);
        mix_text(line);
    }

    /* The last 10 bytes, through a seek relative to the end. */
    if (fseek(out, -10, SEEK_END) != 0)
        fail("seek from end");
    n = (int)fread(line, 1, 10, out);
    line[n] = '\0';
    printf("last %d bytes: \"%.*s\\n\"\n", n, n > 0 ? n - 1 : 0, line);
    mix_text(line);

    if (fclose(out) != 0 || fclose(in) != 0)
        fail("close");
    if (remove("out.txt") != 0 || remove("in.txt") != 0)
        fail("remove");
    out = fopen("out.txt", "r");
    printf("out.txt after remove: %s\n", out == NULL ? "gone" : "STILL THERE");
    if (out != NULL)
        fclose(out);

    printf("checksum %08lx\n", (unsigned long)checksum);
    return 0;
}
