package io.hexo.build;

/**
 * Points wasm2c's load and store helpers at linear memory's fixed address instead of {@code mem->data}.
 *
 * <p>wasm2c reads the base of linear memory from the memory struct on every access, and because the
 * access itself is a byte copy, which may alias anything, the compiler has to read it again after every
 * store: in NPB IS's inner loops half of all memory instructions were these reloads. In a hexo guest
 * linear memory never moves (it grows in place, identity-mapped), and its address is known when the image
 * is linked: {@code __hexo_linmem}, which the linker scripts put at the first 2 MiB boundary after the
 * image, where the VMM places linear memory (it checks that the two agree). A link-time address costs
 * nothing to materialise and cannot alias, so the helpers then compile to one instruction per access.
 *
 * <p>The rewrite is textual, on the output of Debian 12's wasm2c (wabt 1.0.32); if that output ever
 * changes shape, the build stops with a sentence saying so instead of silently producing slower code.
 */
final class FixedLinearMemory {
    static final String BASE_SYMBOL = "__hexo_linmem";

    private static final String LOAD = "wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1));";
    private static final String STORE = "wasm_rt_memcpy(&mem->data[addr], &wrapped, sizeof(t1));";
    private static final String BASE = "((u8*)" + BASE_SYMBOL + ")";

    private FixedLinearMemory() {}

    static String rewrite(String appC) throws BuildException {
        if (GeneratedPatch.count(appC, LOAD) != 1 || GeneratedPatch.count(appC, STORE) != 1) {
            throw new BuildException("wasm2c's output does not have the load/store helpers hexo expects (is wabt other than "
                    + "Debian 12's 1.0.32?): install the wabt package with tools/install.sh");
        }
        return "extern char " + BASE_SYMBOL + "[]; /* hexo: see FixedLinearMemory.java */\n"
                + appC.replace(LOAD, LOAD.replace("mem->data", BASE)).replace(STORE, STORE.replace("mem->data", BASE));
    }
}
