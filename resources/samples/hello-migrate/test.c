#include <stdio.h>
#include <hermit/migration.h> // This needs to be included in all programs

extern void sys_msleep(int ms);
int main(void) {
    int i=0;
    for(i=0; i<10; i++) {
        popcorn_check_migrate(); // checkpoint if checkpointing signal received
        printf("Iteration %d/10\n", i);
        sys_msleep(1000);
    }
}
