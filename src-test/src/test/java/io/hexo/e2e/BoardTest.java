package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;

/**
 * `hexo board` against a real OpenSSH server on loopback: boards configured once, host keys checked
 * against known_hosts (unknown and changed keys refused in one sentence, `trust` records a new one),
 * a refused key and an unreachable board each one sentence, and `test` reporting what the board offers.
 */
public class BoardTest {
    @Rule
    public final OpenSshServer.Boards b = new OpenSshServer.Boards("board");

    private static void oneSentence(Hexo.Cli c, String fragment) {
        assertEquals(c.stdout() + c.stderr(), 2, c.status());
        assertTrue(c.stderr(), c.stderr().contains(fragment));
        assertEquals("one line: " + c.stderr(), 1, c.stderr().strip().lines().count());
        assertFalse(c.stderr(), c.stderr().contains("Exception") || c.stderr().contains("\tat "));
    }

    private void addBoard(String name, Path key) {
        b.add(name, b.sshd.port, key, System.getProperty("user.name"));
    }

    @Test
    public void aBoardIsTrustedOnceThenTestedAndAChangedHostKeyIsRefused() throws Exception {
        addBoard("pi", b.sshd.clientKey);
        Hexo.Cli list = b.hexo("board", "list");
        assertTrue(list.stdout(), list.stdout().startsWith("pi  " + System.getProperty("user.name") + "@127.0.0.1:" + b.sshd.port));
        assertTrue(Files.readString(b.home.resolve("config/boards.json")).contains("\"host\": \"127.0.0.1\""));

        String fingerprint = b.sshd.hostKeyFingerprint();
        oneSentence(b.hexo("board", "test", "pi"), "presented a host key that " + b.home.resolve("ssh/known_hosts") + " does not know (" + fingerprint);

        Hexo.Cli trust = b.hexo("board", "trust", "pi");
        assertEquals(trust.stderr(), 0, trust.status());
        assertTrue(trust.stdout(), trust.stdout().contains("host key " + fingerprint));
        assertTrue(Files.readString(b.home.resolve("ssh/known_hosts")).startsWith("[127.0.0.1]:" + b.sshd.port + " ssh-ed25519 "));

        Hexo.Cli test = b.hexo("board", "test", "pi");
        assertEquals(test.stderr(), 0, test.status());
        assertTrue(test.stdout(), test.stdout().contains("  isa " + System.getProperty("os.arch").replace("amd64", "x86_64")));
        for (String line : new String[] {"  kernel ", "  engine ", "  java ", "  memory ", "  disk "}) {
            assertTrue(line + " in:\n" + test.stdout(), test.stdout().contains(line));
        }

        b.sshd.newHostKey();
        b.sshd.restart();
        oneSentence(b.hexo("board", "test", "pi"), "presented a different host key (" + b.sshd.hostKeyFingerprint() + ")");
        oneSentence(b.hexo("board", "trust", "pi"), "presented a different host key");
    }

    @Test
    public void aRefusedKeyAnUnreachableBoardAndAnUnknownBoardAreOneSentenceEach() throws Exception {
        addBoard("pi", b.sshd.clientKey);
        assertEquals(0, b.hexo("board", "trust", "pi").status());
        Path stranger = b.home.resolve("stranger");
        assertEquals(0, new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString()).start().waitFor());
        addBoard("pi", stranger);
        oneSentence(b.hexo("board", "test", "pi"), "refused user " + System.getProperty("user.name") + " with the key(s)");

        b.sshd.close();
        oneSentence(b.hexo("board", "test", "pi"), "cannot reach board pi (127.0.0.1:" + b.sshd.port + ")");
        oneSentence(b.hexo("board", "test", "nosuch"), "there is no board named nosuch");
        oneSentence(b.hexo("board", "add", "bad name", "--host", "h", "--user", "u"), "board name 'bad name'");
    }

    @Test
    public void aCheckpointGoesToTheBoardAndComesBackVerifiedSendingOnlyWhatChanged() throws Exception {
        addBoard("pi", b.sshd.clientKey);
        assertEquals(0, b.hexo("board", "trust", "pi").status());
        Path images = Hexo.sample("stress-files");
        Path x86 = Hexo.tempDir("x86");
        Hexo.Run first = Hexo.run(images, io.hexo.vmm.abi.Isa.X86_64, Hexo.options().workdir(x86).migrateAt(1));
        assertTrue(first.outcome().toString(), first.outcome() instanceof io.hexo.vmm.run.Outcome.Checkpointed);
        Path remote = b.home.resolve("board-home/ckpt");

        Hexo.Cli push = b.hexo("transfer", "--from", x86.toString(), "--to-board", "pi", "--remote-dir", remote.toString());
        assertEquals(push.stderr(), 0, push.status());
        assertTrue(push.stderr(), push.stderr().contains("checked there by SHA-256"));
        io.hexo.vmm.checkpoint.Checkpoint there = io.hexo.vmm.checkpoint.CheckpointReader.verify(remote, null);
        assertEquals(1, there.pointsReached());

        // Again: the board holds every file already; only the manifest travels.
        Hexo.Cli again = b.hexo("transfer", "--from", x86.toString(), "--to-board", "pi", "--remote-dir", remote.toString());
        assertTrue(again.stderr(), again.stderr().contains(", " + there.files().size() + " already there"));
        assertEquals(again.stderr(), 1, again.stderr().lines().filter(l -> l.startsWith("hexo: sent ")).count());
        assertTrue(again.stderr(), again.stderr().contains("hexo: sent mdata.bin"));

        // Back, into another directory, and resumed there on the other ISA: the output an unmigrated run ends with.
        Path back = Hexo.tempDir("back");
        Hexo.Cli pull = b.hexo("transfer", "--from-board", "pi", "--remote-dir", remote.toString(), "--to", back.toString());
        assertEquals(pull.stderr(), 0, pull.status());
        Hexo.Run resumed = Hexo.run(images, io.hexo.vmm.abi.Isa.AARCH64, Hexo.options().workdir(back).resume());
        assertEquals(resumed.outcome() + resumed.notices().toString(), 0, resumed.status());
        assertTrue(resumed.stdout(), Hexo.expected("stress-files").endsWith(resumed.stdout()));
    }
}
