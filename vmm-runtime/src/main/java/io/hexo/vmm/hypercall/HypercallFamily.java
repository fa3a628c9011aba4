package io.hexo.vmm.hypercall;

/** A group of related hypercalls (uhyve's grouping): each family registers the numbers it serves. */
public interface HypercallFamily {
    void register(HypercallTable table);
}
