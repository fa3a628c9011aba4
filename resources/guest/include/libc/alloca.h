#ifndef HEXO_ALLOCA_H
#define HEXO_ALLOCA_H
#define alloca __builtin_alloca
#endif
