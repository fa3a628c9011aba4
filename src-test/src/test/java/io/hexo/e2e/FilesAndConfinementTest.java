package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Files live in the guest's working directory, and only there. */
public class FilesAndConfinementTest {
    private static final Path IMAGES = Hexo.program("confine", Map.of("confine.c", String.join("\n",
            "#include <stdio.h>",
            "#include <errno.h>",
            "int main(void) {",
            "    FILE *in = fopen(\"input.txt\", \"r\");",
            "    char line[64] = {0};",
            "    if (in) { fgets(line, sizeof line, in); fclose(in); }",
            "    printf(\"read: %s\", line);",
            "    FILE *out = fopen(\"result.txt\", \"w\"); fprintf(out, \"written\\n\"); fclose(out);",
            "    FILE *esc = fopen(\"../escaped.txt\", \"w\");",
            "    printf(\"escape: %s\\n\", esc ? \"OPENED\" : \"refused\");",
            "    FILE *abs = fopen(\"/etc/passwd\", \"r\");",
            "    printf(\"absolute: %s\\n\", abs ? \"OPENED\" : \"refused\");",
            "    return 0;",
            "}", "")), false);

    @Test
    public void filesInsideTheWorkdirWorkAndEscapesAreRefused() throws Exception {
        for (Isa isa : Isa.values()) {
            Path parent = Hexo.tempDir("confine"), wd = Files.createDirectory(parent.resolve("wd"));
            Files.writeString(wd.resolve("input.txt"), "hello from the host\n");
            Hexo.Run r = Hexo.run(IMAGES, isa, Hexo.options().workdir(wd));
            assertEquals(r.notices().toString(), "read: hello from the host\nescape: refused\nabsolute: refused\n", r.stdout());
            assertEquals("written\n", Files.readString(wd.resolve("result.txt")));
            assertFalse(Files.exists(parent.resolve("escaped.txt")));
            assertTrue(r.notices().toString(), r.notices().stream().anyMatch(n -> n.contains("../escaped.txt") && n.contains("outside its working directory")));
        }
    }
}
