/*
 * stress-malloc: a heap full of pointers across a migration.
 *
 * Builds a singly linked list of 10 000 nodes (each with a payload of its own
 * size) and a binary search tree of 10 000 nodes, walks both with migration
 * points at every node, frees half of each (every other list node, the tree
 * nodes with odd keys), walks them again, then allocates 5 000 more list
 * nodes into the holes and grows some payloads with realloc.  Only values
 * derived from the data are printed, never addresses.  The last line is a
 * checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <hermit/migration.h>

#define LIST_NODES 10000
#define TREE_NODES 10000
#define REFILL      5000

struct lnode {
    struct lnode *next;
    uint32_t      serial;
    uint32_t      len;
    unsigned char payload[];   /* len bytes */
};

struct tnode {
    struct tnode *left, *right;
    uint32_t      key;
    uint32_t      value;
};

static void die(const char *what)
{
    printf("out of memory (%s)\n", what);
    exit(1);
}

static struct lnode *new_lnode(uint32_t serial)
{
    uint32_t len = 8u + (serial * 13u) % 65u;   /* 8 .. 72 bytes */
    struct lnode *n = malloc(sizeof *n + len);
    uint32_t i;
    if (n == NULL)
        die("list node");
    n->next = NULL;
    n->serial = serial;
    n->len = len;
    for (i = 0; i < len; i++)
        n->payload[i] = (unsigned char)(serial * 31u + i);
    return n;
}

/* Walk the list, a migration point at every node. */
static uint64_t walk_list(const struct lnode *n, uint32_t *count)
{
    uint64_t h = 14695981039346656037ULL;
    uint32_t c = 0, i;
    for (; n != NULL; n = n->next) {
        popcorn_check_migrate();
        h = (h ^ n->serial) * 1099511628211ULL;
        for (i = 0; i < n->len; i++)
            h = (h ^ n->payload[i]) * 1099511628211ULL;
        c++;
    }
    *count = c;
    return h;
}

/* ---- tree -------------------------------------------------------------- */

static void tree_insert(struct tnode **root, uint32_t key, uint32_t value)
{
    struct tnode **slot = root;
    struct tnode *n;
    while (*slot != NULL)
        slot = key < (*slot)->key ? &(*slot)->left : &(*slot)->right;
    n = malloc(sizeof *n);
    if (n == NULL)
        die("tree node");
    n->left = n->right = NULL;
    n->key = key;
    n->value = value;
    *slot = n;
}

/* Remove the node holding key (if any) and free it. */
static int tree_delete(struct tnode **root, uint32_t key)
{
    struct tnode **slot = root;
    struct tnode *n;

    while (*slot != NULL && (*slot)->key != key)
        slot = key < (*slot)->key ? &(*slot)->left : &(*slot)->right;
    n = *slot;
    if (n == NULL)
        return 0;

    if (n->left == NULL) {
        *slot = n->right;
    } else if (n->right == NULL) {
        *slot = n->left;
    } else {
        /* Replace by the smallest node of the right subtree. */
        struct tnode **min_slot = &n->right;
        struct tnode *m;
        while ((*min_slot)->left != NULL)
            min_slot = &(*min_slot)->left;
        m = *min_slot;
        *min_slot = m->right;
        m->left = n->left;
        m->right = n->right;
        *slot = m;
    }
    free(n);
    return 1;
}

struct walk {
    uint64_t hash;
    uint32_t count;
    uint32_t last_key;
    int      ordered;
};

/* In-order walk, a migration point at every node. */
static void walk_tree(const struct tnode *n, struct walk *w)
{
    if (n == NULL)
        return;
    walk_tree(n->left, w);
    popcorn_check_migrate();
    if (w->count > 0 && n->key <= w->last_key)
        w->ordered = 0;
    w->last_key = n->key;
    w->hash = (w->hash ^ ((uint64_t)n->key << 32 | n->value)) *
              1099511628211ULL;
    w->count++;
    walk_tree(n->right, w);
}

static int tree_height(const struct tnode *n)
{
    int l, r;
    if (n == NULL)
        return 0;
    l = tree_height(n->left);
    r = tree_height(n->right);
    return 1 + (l > r ? l : r);
}

static void tree_free(struct tnode *n)
{
    if (n == NULL)
        return;
    tree_free(n->left);
    tree_free(n->right);
    free(n);
}

static void report_tree(const char *when, const struct tnode *root,
                        uint64_t *checksum)
{
    struct walk w = { 14695981039346656037ULL, 0, 0, 1 };
    walk_tree(root, &w);
    printf("tree %s: %lu nodes, height %d, %s, hash %016llx\n", when,
           (unsigned long)w.count, tree_height(root),
           w.ordered ? "in order" : "OUT OF ORDER",
           (unsigned long long)w.hash);
    *checksum = (*checksum ^ w.hash) * 1099511628211ULL;
}

int main(void)
{
    struct lnode *head = NULL, *tail = NULL, *n, *prev;
    struct tnode *root = NULL;
    uint64_t checksum = 0, h;
    uint32_t count, i, freed, grown;

    printf("stress-malloc\n");

    /* Build. */
    for (i = 0; i < LIST_NODES; i++) {
        n = new_lnode(i);
        if (tail == NULL)
            head = n;
        else
            tail->next = n;
        tail = n;
    }
    for (i = 0; i < TREE_NODES; i++) {
        /* 40503 is odd, so i -> i * 40503 mod 2^16 is a permutation:
         * unique keys in a scattered order. */
        uint32_t key = (i * 40503u) & 0xffffu;
        tree_insert(&root, key, i * 2654435761u);
    }

    h = walk_list(head, &count);
    printf("list built: %lu nodes, hash %016llx\n", (unsigned long)count,
           (unsigned long long)h);
    checksum = (checksum ^ h) * 1099511628211ULL;
    report_tree("built", root, &checksum);

    /* Free every other list node. */
    freed = 0;
    prev = NULL;
    n = head;
    while (n != NULL) {
        struct lnode *next = n->next;
        if (n->serial % 2u == 1u) {
            if (prev == NULL)
                head = next;
            else
                prev->next = next;
            if (n == tail)
                tail = prev;
            free(n);
            freed++;
        } else {
            prev = n;
        }
        n = next;
    }
    printf("list: freed %lu nodes\n", (unsigned long)freed);

    /* Delete the tree nodes with odd keys. */
    freed = 0;
    for (i = 0; i < TREE_NODES; i++) {
        uint32_t key = (i * 40503u) & 0xffffu;
        if (key % 2u == 1u)
            freed += (uint32_t)tree_delete(&root, key);
        if (i % 500 == 0)
            popcorn_check_migrate();
    }
    printf("tree: freed %lu nodes\n", (unsigned long)freed);

    h = walk_list(head, &count);
    printf("list halved: %lu nodes, hash %016llx\n", (unsigned long)count,
           (unsigned long long)h);
    checksum = (checksum ^ h) * 1099511628211ULL;
    report_tree("halved", root, &checksum);

    /* Refill the holes, and grow every third remaining payload. */
    for (i = 0; i < REFILL; i++) {
        n = new_lnode(LIST_NODES + i);
        tail->next = n;
        tail = n;
    }
    grown = 0;
    prev = NULL;
    for (n = head; n != NULL; prev = n, n = n->next) {
        if (n->serial % 3u == 0u) {
            uint32_t old_len = n->len, new_len = old_len + 100u, k;
            struct lnode *bigger = realloc(n, sizeof *n + new_len);
            if (bigger == NULL)
                die("realloc");
            for (k = old_len; k < new_len; k++)
                bigger->payload[k] = (unsigned char)(k ^ bigger->serial);
            bigger->len = new_len;
            if (prev == NULL)
                head = bigger;
            else
                prev->next = bigger;
            if (tail == n)
                tail = bigger;
            n = bigger;
            grown++;
        }
        if (n->serial % 1000u == 0u)
            popcorn_check_migrate();
    }
    h = walk_list(head, &count);
    printf("list refilled: %lu nodes (%lu grown), hash %016llx\n",
           (unsigned long)count, (unsigned long)grown,
           (unsigned long long)h);
    checksum = (checksum ^ h) * 1099511628211ULL;

    /* Tear down. */
    while (head != NULL) {
        n = head->next;
        free(head);
        head = n;
    }
    tree_free(root);

    printf("checksum %016llx\n", (unsigned long long)checksum);
    return 0;
}
