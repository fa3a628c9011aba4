package io.hexo.build;

import org.junit.Test;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class IndirectCallsTest {
    /** wasm-objdump -x (wabt 1.0.32) of a module: the migration import, two functions in the table. */
    private static final String DETAILS = """
            Import[2]:
             - func[0] sig=3 <__hexo_migrate> <- hexo.migrate
             - func[1] sig=5 <__imported_wasi_snapshot_preview1_fd_close> <- wasi_snapshot_preview1.fd_close
            Elem[1]:
             - segment[0] flags=0 table=0 count=2 - init i32=1
              - elem[1] = func[3] <mix>
              - elem[2] = func[4] <__stdio_write>
            """;
    /** main (2) calls the migration point (through 5) and calls through the table; mix (3) and __stdio_write (4) do neither. */
    private static final String CODE = """
            00026a func[2] <main>:
             00026b: 10 05                      | call 5 <popcorn_check_migrate>
             0005c0: 11 80 80 80 80 00 00       |   call_indirect 0 (type 0)
            000300 func[3] <mix>:
             000301: 6a                         | i32.add
            000310 func[4] <__stdio_write>:
             000311: 10 01                      | call 1 <__imported_wasi_snapshot_preview1_fd_close>
            000320 func[5] <popcorn_check_migrate>:
             000321: 10 00                      | call 0 <__hexo_migrate>
            """;

    @Test
    public void tableFunctionsThatNeverMigrateNeedNoInstrumentation() throws BuildException {
        assertFalse(IndirectCalls.mayReachMigration(DETAILS, CODE));
    }

    @Test
    public void aTableFunctionThatReachesAMigrationPointDirectlyOrIndirectlyNeedsIt() throws BuildException {
        // mix calls the migration point's wrapper
        assertTrue(IndirectCalls.mayReachMigration(DETAILS, CODE.replace("| i32.add", "| call 5 <popcorn_check_migrate>")));
        // __stdio_write calls through the table, and main (which migrates) is in it
        assertTrue(IndirectCalls.mayReachMigration(DETAILS.replace("func[3] <mix>", "func[2] <main>"),
                CODE.replace("| call 1 <__imported", "| call_indirect 0 (type 1) <__imported")));
    }

    @Test
    public void anUnknownDisassemblyStopsTheBuild() {
        try {
            IndirectCalls.mayReachMigration(DETAILS, CODE.replaceAll("func\\[(\\d)\\]", "function $1"));
            fail("accepted a disassembly without functions");
        } catch (BuildException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("wabt"));
        }
    }
}
