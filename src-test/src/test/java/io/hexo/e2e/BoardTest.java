package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * `hexo board` against a real OpenSSH server on loopback: boards configured once, host keys checked
 * against known_hosts (unknown and changed keys refused in one sentence, `trust` records a new one),
 * a refused key and an unreachable board each one sentence, and `test` reporting what the board offers.
 */
public class BoardTest {
    private OpenSshServer sshd;
    private Map<String, String> env;
    private Path home;

    @Before
    public void start() throws Exception {
        home = Hexo.tempDir("board");
        sshd = new OpenSshServer(home.resolve("server"));
        Files.createDirectories(home.resolve("ssh"));
        env = Map.of("HEXO_CONFIG_HOME", home.resolve("config").toString(), "HEXO_SSH_DIR", home.resolve("ssh").toString());
    }

    @After
    public void stop() throws Exception {
        if (sshd != null) sshd.close();
    }

    private Hexo.Cli hexo(String... args) {
        return Hexo.cli(env, home, args);
    }

    private static void oneSentence(Hexo.Cli c, String fragment) {
        assertEquals(c.stdout() + c.stderr(), 2, c.status());
        assertTrue(c.stderr(), c.stderr().contains(fragment));
        assertEquals("one line: " + c.stderr(), 1, c.stderr().strip().lines().count());
        assertFalse(c.stderr(), c.stderr().contains("Exception") || c.stderr().contains("\tat "));
    }

    private void addBoard(String name, Path key) {
        Hexo.Cli add = hexo("board", "add", name, "--host", "127.0.0.1", "--port", Integer.toString(sshd.port),
                "--user", System.getProperty("user.name"), "--key", key.toString());
        assertEquals(add.stderr(), 0, add.status());
    }

    @Test
    public void aBoardIsTrustedOnceThenTestedAndAChangedHostKeyIsRefused() throws Exception {
        addBoard("pi", sshd.clientKey);
        Hexo.Cli list = hexo("board", "list");
        assertTrue(list.stdout(), list.stdout().startsWith("pi  " + System.getProperty("user.name") + "@127.0.0.1:" + sshd.port));
        assertTrue(Files.readString(home.resolve("config/boards.json")).contains("\"host\": \"127.0.0.1\""));

        String fingerprint = sshd.hostKeyFingerprint();
        oneSentence(hexo("board", "test", "pi"), "presented a host key that " + home.resolve("ssh/known_hosts") + " does not know (" + fingerprint);

        Hexo.Cli trust = hexo("board", "trust", "pi");
        assertEquals(trust.stderr(), 0, trust.status());
        assertTrue(trust.stdout(), trust.stdout().contains("host key " + fingerprint));
        assertTrue(Files.readString(home.resolve("ssh/known_hosts")).startsWith("[127.0.0.1]:" + sshd.port + " ssh-ed25519 "));

        Hexo.Cli test = hexo("board", "test", "pi");
        assertEquals(test.stderr(), 0, test.status());
        assertTrue(test.stdout(), test.stdout().contains("  isa " + System.getProperty("os.arch").replace("amd64", "x86_64")));
        for (String line : new String[] {"  kernel ", "  engine ", "  java ", "  memory ", "  disk "}) {
            assertTrue(line + " in:\n" + test.stdout(), test.stdout().contains(line));
        }

        sshd.newHostKey();
        sshd.restart();
        oneSentence(hexo("board", "test", "pi"), "presented a different host key (" + sshd.hostKeyFingerprint() + ")");
        oneSentence(hexo("board", "trust", "pi"), "presented a different host key");
    }

    @Test
    public void aRefusedKeyAnUnreachableBoardAndAnUnknownBoardAreOneSentenceEach() throws Exception {
        addBoard("pi", sshd.clientKey);
        assertEquals(0, hexo("board", "trust", "pi").status());
        Path stranger = home.resolve("stranger");
        assertEquals(0, new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString()).start().waitFor());
        addBoard("pi", stranger);
        oneSentence(hexo("board", "test", "pi"), "refused user " + System.getProperty("user.name") + " with the key(s)");

        sshd.close();
        oneSentence(hexo("board", "test", "pi"), "cannot reach board pi (127.0.0.1:" + sshd.port + ")");
        oneSentence(hexo("board", "test", "nosuch"), "there is no board named nosuch");
        oneSentence(hexo("board", "add", "bad name", "--host", "h", "--user", "u"), "board name 'bad name'");
    }
}
