package io.hexo.build;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class FixedLinearMemoryTest {
    /** The two helper bodies as Debian 12's wasm2c (wabt 1.0.32) prints them, little-endian branch. */
    private static final String HELPERS = """
            #if WABT_BIG_ENDIAN
            #define DEFINE_LOAD(name, t1, t2, t3)                                  \\
              static inline t3 name(wasm_rt_memory_t* mem, u64 addr) {             \\
                wasm_rt_memcpy(&result, &mem->data[mem->size - addr - sizeof(t1)], \\
              }
            #define DEFINE_STORE(name, t1, t2)                                      \\
              static inline void name(wasm_rt_memory_t* mem, u64 addr, t2 value) {  \\
              }
            #else
            #define DEFINE_LOAD(name, t1, t2, t3)                      \\
              static inline t3 name(wasm_rt_memory_t* mem, u64 addr) { \\
                MEMCHECK(mem, addr, t1);                               \\
                t1 result;                                             \\
                wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1)); \\
                wasm_asm("" ::"r"(result));                            \\
                return (t3)(t2)result;                                 \\
              }
            #define DEFINE_STORE(name, t1, t2)                                     \\
              static inline void name(wasm_rt_memory_t* mem, u64 addr, t2 value) { \\
                MEMCHECK(mem, addr, t1);                                           \\
                t1 wrapped = (t1)value;                                            \\
                wasm_rt_memcpy(&mem->data[addr], &wrapped, sizeof(t1));            \\
              }
            #endif
            static void w2c_f(void) { wasm_rt_memcpy(dst, &mem->data[o], n); }
            """;

    @Test
    public void loadsAndStoresUseTheProgramsView() throws BuildException {
        String out = FixedLinearMemory.rewrite(HELPERS);
        assertTrue(out, out.startsWith("#include \"hexo_abi.h\""));
        assertTrue(out, out.contains("wasm_rt_memcpy(&result, &((u8*)HEXO_LINMEM_VIEW)[addr], sizeof(t1));"));
        assertTrue(out, out.contains("wasm_rt_memcpy(&((u8*)HEXO_LINMEM_VIEW)[addr], &wrapped, sizeof(t1));"));
        assertEquals(out, 2, GeneratedPatch.count(out, "static inline __attribute__((always_inline)) t3 name(wasm_rt_memory_t* mem, u64 addr) {"));
        assertEquals(out, 2, GeneratedPatch.count(out, "static inline __attribute__((always_inline)) void name(wasm_rt_memory_t* mem, u64 addr, t2 value) {"));
        // Everything else (bulk memory, data segments) keeps going through the memory struct.
        assertTrue(out, out.contains("wasm_rt_memcpy(dst, &mem->data[o], n);"));
        assertEquals(2, out.split("HEXO_LINMEM_VIEW\\)", -1).length - 1);
    }

    @Test
    public void anUnexpectedWasm2cOutputStopsTheBuildWithOneSentence() {
        try {
            FixedLinearMemory.rewrite(HELPERS.replace("&mem->data[addr], &wrapped", "MEM_ADDR(mem, addr), &wrapped"));
            fail("rewrote output without the store helper");
        } catch (BuildException e) {
            assertFalse(e.getMessage().contains("\n"));
            assertTrue(e.getMessage(), e.getMessage().contains("wabt"));
        }
    }
}
