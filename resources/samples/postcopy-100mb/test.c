#include <stdio.h>
#include <string.h>
#include <hermit/migration.h>

#define DATA_SIZE    (100*1024*1024)
char data[DATA_SIZE];

extern void sys_msleep(int ms);
int main(void) {
    memset(data, 0x0, DATA_SIZE);

    force_migration_flag(1); /* force checkpointing */
    popcorn_check_migrate();

    for(int i=0; i<10; i++) {
        printf("Iteration %d/10\n", i);
        memset(data + i*(DATA_SIZE/10), 0x0, DATA_SIZE/10);
    }
}
