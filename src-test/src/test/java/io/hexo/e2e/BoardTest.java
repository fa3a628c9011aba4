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
        OpenSshServer.disconnectBoards(env, home); // hexo's holder, agent and spare JVMs of these boards
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
                "--user", System.getProperty("user.name"), "--key", key.toString(), "--home", home.resolve("board-home").toString());
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

    @Test
    public void aCheckpointGoesToTheBoardAndComesBackVerifiedSendingOnlyWhatChanged() throws Exception {
        addBoard("pi", sshd.clientKey);
        assertEquals(0, hexo("board", "trust", "pi").status());
        Path images = Hexo.sample("stress-files");
        Path x86 = Hexo.tempDir("x86");
        Hexo.Run first = Hexo.run(images, io.hexo.vmm.abi.Isa.X86_64, Hexo.options().workdir(x86).migrateAt(1));
        assertTrue(first.outcome().toString(), first.outcome() instanceof io.hexo.vmm.run.Outcome.Checkpointed);
        Path remote = home.resolve("board-home/ckpt");

        Hexo.Cli push = hexo("transfer", "--from", x86.toString(), "--to-board", "pi", "--remote-dir", remote.toString());
        assertEquals(push.stderr(), 0, push.status());
        assertTrue(push.stderr(), push.stderr().contains("checked there by SHA-256"));
        io.hexo.vmm.checkpoint.Checkpoint there = io.hexo.vmm.checkpoint.CheckpointReader.verify(remote, null);
        assertEquals(1, there.pointsReached());

        // Again: the board holds every file already; only the manifest travels.
        Hexo.Cli again = hexo("transfer", "--from", x86.toString(), "--to-board", "pi", "--remote-dir", remote.toString());
        assertTrue(again.stderr(), again.stderr().contains(", " + there.files().size() + " already there"));
        assertEquals(again.stderr(), 1, again.stderr().lines().filter(l -> l.startsWith("hexo: sent ")).count());
        assertTrue(again.stderr(), again.stderr().contains("hexo: sent mdata.bin"));

        // Back, into another directory, and resumed there on the other ISA: the output an unmigrated run ends with.
        Path back = Hexo.tempDir("back");
        Hexo.Cli pull = hexo("transfer", "--from-board", "pi", "--remote-dir", remote.toString(), "--to", back.toString());
        assertEquals(pull.stderr(), 0, pull.status());
        Hexo.Run resumed = Hexo.run(images, io.hexo.vmm.abi.Isa.AARCH64, Hexo.options().workdir(back).resume());
        assertEquals(resumed.outcome() + resumed.notices().toString(), 0, resumed.status());
        assertTrue(resumed.stdout(), Hexo.expected("stress-files").endsWith(resumed.stdout()));
    }
}
