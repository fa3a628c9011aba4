package io.hexo.build;

/**
 * --instrument-functions on wasm32: clang's hooks take __builtin_return_address(0), which wasm32-wasi
 * cannot provide, so the IR's entry and exit hooks — function attributes, one pair per instrumented
 * function — are pointed at the argument-less __cyg_profile_func_enter_bare before the IR is compiled.
 */
final class InstrumentedIr {
    static final String BARE_HOOK = "__cyg_profile_func_enter_bare";
    private static final String ENTRY = "\"instrument-function-entry\"=", EXIT = "\"instrument-function-exit\"=";

    private InstrumentedIr() {}

    static String bare(String ir) throws BuildException {
        String entries = GeneratedPatch.replaceAll(ir, ENTRY, ENTRY + "\"__cyg_profile_func_enter\"", ENTRY + "\"" + BARE_HOOK + "\"",
                "instrumenting function entries");
        String both = GeneratedPatch.replaceAll(entries, EXIT, EXIT + "\"__cyg_profile_func_exit\"", EXIT + "\"" + BARE_HOOK + "\"",
                "instrumenting function exits");
        if (GeneratedPatch.count(ir, ENTRY) != GeneratedPatch.count(ir, EXIT)) {
            throw new BuildException("instrumenting functions: clang-16 gave " + GeneratedPatch.count(ir, ENTRY) + " entry hooks and "
                    + GeneratedPatch.count(ir, EXIT) + " exit hooks (is clang-16 other than Debian 12's?): reinstall it with tools/install.sh");
        }
        return both;
    }
}
