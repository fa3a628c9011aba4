/*
 * stress-funcptr: function pointers that must still work after a migration.
 *
 * - qsort of 5000 records with comparators that contain a migration point,
 *   so the program can migrate in the middle of the C library's sort, with
 *   libc frames and a comparator pointer on the stack;
 * - comparators chosen through a table, bsearch through another comparator;
 * - a constant table of operations and a heap-allocated, shuffled copy of it,
 *   called in a loop with migration points;
 * - a function returning a function pointer, and a visitor callback with a
 *   context pointer.
 * Records have unique ids that break ties, so the sorted order is the same
 * whatever sort algorithm the C library uses.  The last line is a checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <hermit/migration.h>

#define N_ITEMS 5000

struct item {
    uint32_t key;   /* 0..999, many duplicates */
    uint32_t id;    /* unique */
    int32_t  weight;
};

static struct item items[N_ITEMS];

static uint32_t rng_state = 0x2545f491u;

static uint32_t next_random(void)
{
    /* xorshift32 */
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* ---- comparators ------------------------------------------------------- */

static int by_key_then_id(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    popcorn_check_migrate();
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return 0;
}

static int by_weight_desc_then_id(const void *pa, const void *pb)
{
    const struct item *a = pa, *b = pb;
    popcorn_check_migrate();
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return 0;
}

typedef int (*comparator)(const void *, const void *);

static const struct {
    const char *name;
    comparator  cmp;
} sort_orders[] = {
    { "key, id",      by_key_then_id },
    { "-weight, id",  by_weight_desc_then_id },
};

/* ---- operations -------------------------------------------------------- */

typedef uint32_t (*binop)(uint32_t, uint32_t);

static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t op_sub(uint32_t a, uint32_t b) { return a - b * 3u; }
static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ (b * 0x9e3779b9u); }
static uint32_t op_mul(uint32_t a, uint32_t b) { return a * (b | 1u); }
static uint32_t op_rot(uint32_t a, uint32_t b)
{
    unsigned s = b % 31u + 1u;
    return (a << s) | (a >> (32u - s));
}

struct op {
    const char *name;
    binop       fn;
};

static const struct op op_table[] = {
    { "add", op_add }, { "sub", op_sub }, { "xor", op_xor },
    { "mul", op_mul }, { "rot", op_rot },
};
#define N_OPS ((int)(sizeof op_table / sizeof op_table[0]))

/* A function returning a function pointer. */
static binop pick(uint32_t selector)
{
    return op_table[selector % N_OPS].fn;
}

/* ---- visitor with a context pointer ------------------------------------ */

struct tally {
    uint64_t sum;
    uint32_t odd;
    uint32_t visited;
};

typedef void (*visitor)(const struct item *, void *);

static void count_item(const struct item *it, void *ctx)
{
    struct tally *t = ctx;
    t->sum = t->sum * 31u + it->key * 7u + it->id;
    t->odd += it->id & 1u;
    t->visited++;
}

static void for_each(const struct item *v, int n, visitor fn, void *ctx)
{
    int i;
    for (i = 0; i < n; i++) {
        if (i % 250 == 0)
            popcorn_check_migrate();
        fn(&v[i], ctx);
    }
}

static void print_ends(const char *title)
{
    int i;
    printf("%s: first", title);
    for (i = 0; i < 4; i++)
        printf(" (%u,%u,%d)", (unsigned)items[i].key, (unsigned)items[i].id,
               (int)items[i].weight);
    printf(" last");
    for (i = N_ITEMS - 2; i < N_ITEMS; i++)
        printf(" (%u,%u,%d)", (unsigned)items[i].key, (unsigned)items[i].id,
               (int)items[i].weight);
    printf("\n");
}

int main(void)
{
    struct op *heap_ops;
    struct tally tally = { 0, 0, 0 };
    uint64_t checksum = 1469598103934665603ULL;
    uint32_t acc;
    int i, s, found, missing;

    printf("stress-funcptr\n");

    for (i = 0; i < N_ITEMS; i++) {
        items[i].key = next_random() % 1000u;
        items[i].id = (uint32_t)i * 7919u % 100003u;   /* unique */
        items[i].weight = (int32_t)(next_random() % 2001u) - 1000;
    }

    /* Sort with each comparator from the table. */
    for (s = 0; s < (int)(sizeof sort_orders / sizeof sort_orders[0]); s++) {
        qsort(items, N_ITEMS, sizeof items[0], sort_orders[s].cmp);
        for (i = 1; i < N_ITEMS; i++)
            if (sort_orders[s].cmp(&items[i - 1], &items[i]) > 0)
                break;
        printf("sorted by (%s): %s\n", sort_orders[s].name,
               i == N_ITEMS ? "in order" : "OUT OF ORDER");
        print_ends(sort_orders[s].name);
        for (i = 0; i < N_ITEMS; i++)
            checksum = (checksum ^ (items[i].id + (uint64_t)s)) *
                       1099511628211ULL;
    }

    /* Back to key order and look keys up with bsearch. */
    qsort(items, N_ITEMS, sizeof items[0], by_key_then_id);
    found = missing = 0;
    for (i = 0; i < 200; i++) {
        struct item probe;
        const struct item *hit;
        /* 3 of 4 probes copy a record that exists, 1 of 4 an id that does
         * not (ids are below 100003). */
        probe.key = items[(i * 37) % N_ITEMS].key;
        probe.id = (i % 4 == 3) ? 100003u + (uint32_t)i
                                : items[(i * 37) % N_ITEMS].id;
        probe.weight = 0;
        hit = bsearch(&probe, items, N_ITEMS, sizeof items[0], by_key_then_id);
        if (hit != NULL && hit->key == probe.key && hit->id == probe.id) {
            found++;
            checksum = (checksum ^ (uint64_t)(hit - items)) * 1099511628211ULL;
        } else {
            missing++;
        }
    }
    printf("bsearch: %d found, %d missing\n", found, missing);

    /* A shuffled copy of the operation table on the heap. */
    heap_ops = malloc(N_OPS * sizeof *heap_ops);
    if (heap_ops == NULL) {
        printf("malloc failed\n");
        return 1;
    }
    for (i = 0; i < N_OPS; i++)
        heap_ops[i] = op_table[i];
    for (i = N_OPS - 1; i > 0; i--) {
        int j = (int)(next_random() % (uint32_t)(i + 1));
        struct op t = heap_ops[i];
        heap_ops[i] = heap_ops[j];
        heap_ops[j] = t;
    }
    printf("heap table order:");
    for (i = 0; i < N_OPS; i++)
        printf(" %s", heap_ops[i].name);
    printf("\n");

    acc = 0x12345678u;
    for (i = 0; i < N_ITEMS; i++) {
        if (i % 100 == 0)
            popcorn_check_migrate();
        acc = heap_ops[items[i].key % N_OPS].fn(acc, items[i].id);
        acc = pick(items[i].id)(acc, (uint32_t)items[i].weight);
    }
    printf("operation pipeline: %08lx\n", (unsigned long)acc);
    checksum = (checksum ^ acc) * 1099511628211ULL;

    for_each(items, N_ITEMS, count_item, &tally);
    printf("visitor: %lu items, %lu odd ids, tally %016llx\n",
           (unsigned long)tally.visited, (unsigned long)tally.odd,
           (unsigned long long)tally.sum);
    checksum = (checksum ^ tally.sum) * 1099511628211ULL;

    free(heap_ops);
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}
