package io.hexo.vmm.engine;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class EngineChoiceTest {
    @Test
    public void namesParseInAnyCase() {
        assertEquals(EngineChoice.AUTO, EngineChoice.parse("auto"));
        assertEquals(EngineChoice.KVM, EngineChoice.parse("KVM"));
        assertEquals(EngineChoice.PROCESS, EngineChoice.parse("Process"));
    }

    /** Launch configurations and scripts written for the retired Unicorn engines keep running. */
    @Test
    public void emulatedMeansTheProcessEngine() {
        assertEquals(EngineChoice.PROCESS, EngineChoice.parse("emulated"));
    }

    @Test
    public void anUnknownEngineIsOneSentenceListingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineChoice.parse("unicorn"));
        assertEquals("unknown engine 'unicorn': use auto, kvm or process", e.getMessage());
        assertTrue(e.getMessage().indexOf('\n') < 0);
    }
}
