/*
 * A file at an absolute path (argv[1]), open across a migration point: written before the point,
 * appended to after it, then read back. hexo maps it with --mount HOST_DIR:GUEST_DIR; without one,
 * the open fails and hexo says which path and which option.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <hermit/migration.h>

int main(int argc, char **argv) {
    char line[128];
    if (argc < 2) {
        printf("usage: %s /absolute/path\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "w+");
    if (!f) {
        printf("cannot open the file: %s\n", strerror(errno));
        return 1;
    }
    fprintf(f, "written before the migration point\n");
    fflush(f);
    popcorn_check_migrate();
    fprintf(f, "written after it\n");
    rewind(f);
    while (fgets(line, sizeof line, f)) printf("read: %s", line);
    fclose(f);
    printf("done\n");
    return 0;
}
