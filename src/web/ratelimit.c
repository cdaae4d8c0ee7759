/*
 * ratelimit.c — fixed-window counters in a sharded open hash table.  Each
 * shard holds a bounded number of keys; when a shard is full, entries from
 * past windows are reused first, then the oldest entry (a flood of distinct
 * keys cannot grow memory).
 */
#include "web/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RL_SHARDS 16
#define RL_SLOTS 1024 /* per shard */
#define RL_KEY_MAX 64

struct rl_slot {
    char key[RL_KEY_MAX];
    int64_t window;
    int count;
};

struct rl_shard {
    pthread_mutex_t lock;
    struct rl_slot slots[RL_SLOTS];
};

struct ratelimit {
    int limit, window_s;
    struct rl_shard shards[RL_SHARDS];
};

struct ratelimit *ratelimit_new(int limit, int window_s)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->limit = limit;
    rl->window_s = window_s > 0 ? window_s : 60;
    for (int i = 0; i < RL_SHARDS; i++)
        pthread_mutex_init(&rl->shards[i].lock, NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < RL_SHARDS; i++)
        pthread_mutex_destroy(&rl->shards[i].lock);
    free(rl);
}

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

bool ratelimit_hit(struct ratelimit *rl, const char *key, int64_t now)
{
    if (!rl || rl->limit <= 0)
        return true;
    char k[RL_KEY_MAX];
    size_t n = strlen(key);
    if (n >= RL_KEY_MAX)
        n = RL_KEY_MAX - 1;
    memcpy(k, key, n);
    k[n] = '\0';
    uint32_t h = fnv1a(k);
    struct rl_shard *sh = &rl->shards[h % RL_SHARDS];
    int64_t window = now / rl->window_s;
    bool allowed;
    pthread_mutex_lock(&sh->lock);
    struct rl_slot *slot = NULL, *victim = NULL;
    for (uint32_t i = 0; i < 16 && !slot; i++) { /* bounded probe */
        struct rl_slot *s = &sh->slots[(h / RL_SHARDS + i) % RL_SLOTS];
        if (!strcmp(s->key, k))
            slot = s;
        else if (!victim || s->window < victim->window)
            victim = s;
    }
    if (!slot) {
        slot = victim;
        memcpy(slot->key, k, n + 1);
        slot->window = window;
        slot->count = 0;
    }
    if (slot->window != window) {
        slot->window = window;
        slot->count = 0;
    }
    slot->count++;
    allowed = slot->count <= rl->limit;
    pthread_mutex_unlock(&sh->lock);
    return allowed;
}
