package io.hexo.build;

/**
 * Points wasm2c's load and store helpers at linear memory's fixed address instead of {@code mem->data}.
 *
 * <p>wasm2c reads the base of linear memory from the memory struct on every access, and because the
 * access itself is a byte copy, which may alias anything, the compiler has to read it again after every
 * store: in NPB IS's inner loops half of all memory instructions were these reloads. In a hexo guest
 * linear memory never moves (it grows in place), and the program sees it at a fixed virtual address,
 * {@code HEXO_LINMEM_VIEW} (hexo_abi.h): the VMM maps it there a second time, between unmapped guards
 * (AddressArithmetic says why). The linker scripts define {@code __hexo_linmem} at that address, which
 * tells the VMM that the image expects the view. A constant address cannot alias, so the helpers then
 * compile to one instruction per access (plus one 64-bit constant per function: the view is above the
 * 2 GiB that the small code models address directly).
 *
 * <p>The rewrite is textual, on the output of Debian 12's wasm2c (wabt 1.0.32); if that output ever
 * changes shape, the build stops with a sentence saying so instead of silently producing slower code.
 */
final class FixedLinearMemory {
    static final String BASE_SYMBOL = "__hexo_linmem";
    /** The view's address as the translated program writes it (clang's IR: inttoptr (i64 0x40000000000 to ptr)). */
    static final String BASE_ADDRESS = "HEXO_LINMEM_VIEW";

    private static final String LOAD = "wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1));";
    private static final String STORE = "wasm_rt_memcpy(&mem->data[addr], &wrapped, sizeof(t1));";
    private static final String BASE = "((u8*)" + BASE_ADDRESS + ")";
    /**
     * The helpers' heads (wasm2c has a big- and a little-endian pair): always inlined, so that AddressArithmetic
     * sees each access's address in the function that computes it after only the few passes it runs first.
     */
    private static final String LOAD_HEAD = "static inline t3 name(wasm_rt_memory_t* mem, u64 addr) {";
    private static final String STORE_HEAD = "static inline void name(wasm_rt_memory_t* mem, u64 addr, t2 value) {";
    private static final String ALWAYS = "static inline __attribute__((always_inline)) ";

    private FixedLinearMemory() {}

    static String rewrite(String appC) throws BuildException {
        if (GeneratedPatch.count(appC, LOAD) != 1 || GeneratedPatch.count(appC, STORE) != 1
                || GeneratedPatch.count(appC, LOAD_HEAD) != 2 || GeneratedPatch.count(appC, STORE_HEAD) != 2) {
            throw new BuildException("wasm2c's output does not have the load/store helpers hexo expects (is wabt other than "
                    + "Debian 12's 1.0.32?): install the wabt package with tools/install.sh");
        }
        return "#include \"hexo_abi.h\" /* hexo: HEXO_LINMEM_VIEW, see FixedLinearMemory.java */\n"
                + appC.replace(LOAD, LOAD.replace("mem->data", BASE)).replace(STORE, STORE.replace("mem->data", BASE))
                        .replace(LOAD_HEAD, LOAD_HEAD.replace("static inline ", ALWAYS)).replace(STORE_HEAD, STORE_HEAD.replace("static inline ", ALWAYS));
    }
}
