package io.hexo.build;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class AddressArithmeticTest {
    /**
     * The shape clang-16 gives wasm2c's output after inlining and SROA: a loop summing a[i] (pointer
     * induction variable %p, stepped by 8), a load at a constant offset, and an i32 sum that is also
     * compared (not only an address).
     */
    private static final String IR = """
            define internal double @w2c_sum(ptr noundef %0, i32 noundef %1, i32 noundef %2) #0 {
              %4 = shl i32 %2, 3
              %5 = add i32 %1, %4
              br label %6

            6:
              %p = phi i32 [ %1, %3 ], [ %next, %6 ]
              %s = phi double [ 0.000000e+00, %3 ], [ %t, %6 ]
              %z = zext i32 %p to i64
              %a = getelementptr inbounds i8, ptr inttoptr (i64 4398046511104 to ptr), i64 %z
              %v = load double, ptr %a, align 1
              %t = fadd double %s, %v
              %next = add i32 %p, 8
              %c = icmp eq i32 %next, %5
              br i1 %c, label %7, label %6

            7:
              %q = add i32 %1, 16
              %w = zext i32 %q to i64
              %o = add nuw nsw i64 %w, 4
              %b = getelementptr inbounds i8, ptr inttoptr (i64 4398046511104 to ptr), i64 %o
              %x = load i32, ptr %b, align 1
              %k = load i32, ptr inttoptr (i64 4398046512128 to ptr), align 1
              %u = add i32 %x, %k
              %y = zext i32 %u to i64
              %m = getelementptr inbounds i8, ptr inttoptr (i64 4398046511104 to ptr), i64 %y
              store i64 %y, ptr %m, align 1
              ret double %t
            }
            """;

    @Test
    public void addressOnlyArithmeticBecomesNoWrapAndSignExtended() throws BuildException {
        AddressArithmetic.Result r = AddressArithmetic.rewrite(IR);
        String out = r.ir();
        assertTrue(out, out.contains("%w = sext i32 %q to i64"));
        assertTrue(out, out.contains("%q = add nsw i32 %1, 16"));
        // nuw held for the zero-extended index only
        assertTrue(out, out.contains("%o = add nsw i64 %w, 4"));
        // %next is also compared: the induction variable keeps wasm's wrap-around (a valid %p is below 2^31,
        // where sext and zext agree)
        assertTrue(out, out.contains("%next = add i32 %p, 8"));
        assertTrue(out, out.contains("%z = sext i32 %p to i64"));
        // %y is also stored as a value, not only used as an address
        assertTrue(out, out.contains("%y = zext i32 %u to i64"));
        // the access itself: linear memory's base plus each term, the constant offset last
        assertTrue(out, out.contains("%hexo.a20.0.x = sext i32 %1 to i64\n  %hexo.a20.0 = getelementptr inbounds i8, ptr inttoptr (i64 4398046511104 to ptr), i64 %hexo.a20.0.x\n"
                + "  %b = getelementptr inbounds i8, ptr %hexo.a20.0, i64 20"));
        assertEquals(2, r.rewritten());
        assertEquals(3, r.addresses());
    }

    @Test
    public void aPointerInductionVariableIsWidenedWhenOnlyAddressesUseIt() throws BuildException {
        String ir = IR.replace("%c = icmp eq i32 %next, %5", "%c = fcmp oeq double %t, 1.0");
        String out = AddressArithmetic.rewrite(ir).ir();
        assertTrue(out, out.contains("%next = add nsw i32 %p, 8"));
        assertTrue(out, out.contains("%z = sext i32 %p to i64"));
    }

    @Test
    public void anAddressThatCouldReachPastTheGuardKeepsWasmsArithmetic() throws BuildException {
        // i * 2^20 reaches 2^51, far beyond the 2^40 guard: left as wasm computes it.
        String ir = IR.replace("%q = add i32 %1, 16", "%q = mul i32 %1, 1048576");
        String out = AddressArithmetic.rewrite(ir).ir();
        assertTrue(out, out.contains("%q = mul i32 %1, 1048576"));
        assertTrue(out, out.contains("%w = zext i32 %q to i64"));
        assertTrue(out, out.contains("%o = add nuw nsw i64 %w, 4"));
    }

    @Test
    public void aScaledValueWhoseConstantOnlyItsLowBitsMakeRightStaysInWasmsArithmetic() throws BuildException {
        // NPB MG's comm3 after InstCombine: (n - 2) * m << 3 written as (n + 0x1FFFFFFE) * m << 3. The i32 is
        // right; sext((n + 0x1FFFFFFE) * m) * 8 is 2^34 away. The shift stays a leaf, sign-extended whole.
        String ir = IR.replace("%q = add i32 %1, 16", "%n = add i32 %2, 536870910\n  %mm = mul i32 %n, %1\n  %sh = shl i32 %mm, 3\n  %q = add i32 %1, %sh");
        String out = AddressArithmetic.rewrite(ir).ir();
        assertTrue(out, out.contains("%sh = shl i32 %mm, 3\n"));
        assertTrue(out, out.contains("%q = add nsw i32 %1, %sh"));
        assertTrue(out, out.contains("sext i32 %sh to i64"));
        // without the demanded-bits constant the scale is address arithmetic as before
        String plain = AddressArithmetic.rewrite(ir.replace("536870910", "-2")).ir();
        assertTrue(plain, plain.contains("%sh = shl nsw i32 %mm, 3"));
    }

    @Test
    public void anOrOfKnownZeroBitsIsAnAddAndStaysAddressArithmetic() throws BuildException {
        // %p steps by 16 from a multiple of 16: its low four bits are zero, so %p | 8 is %p + 8 (clang's form
        // for the second field of an aligned pair); %p | 24 is not.
        String ir = IR.replace("%c = icmp eq i32 %next, %5", "%c = fcmp oeq double %t, 1.0")
                .replace("%p = phi i32 [ %1, %3 ], [ %next, %6 ]", "%a16 = shl i32 %1, 4\n  %p = phi i32 [ %a16, %3 ], [ %next, %6 ]")
                .replace("%z = zext i32 %p to i64", "%f = or i32 %p, 8\n  %g = or i32 %p, 24\n  %z = zext i32 %f to i64\n  %zz = zext i32 %g to i64")
                .replace("%next = add i32 %p, 8", "%next = add i32 %p, 16");
        String out = AddressArithmetic.rewrite(ir).ir();
        assertTrue(out, out.contains("%f = add nsw i32 %p, 8"));
        assertTrue(out, out.contains("%g = or i32 %p, 24"));
        // %g keeps %p from being address-only arithmetic: its step keeps wasm's wrap-around
        assertTrue(out, out.contains("%next = add i32 %p, 16"));
    }

    @Test
    public void anUnknownFormOfLinearMemoryStopsTheBuild() {
        try {
            AddressArithmetic.rewrite(IR.replace("getelementptr inbounds i8, ptr inttoptr (i64 4398046511104 to ptr), i64 %y", "getelementptr i16, ptr inttoptr (i64 4398046511104 to ptr), i64 %y"));
            fail("accepted an access of an unknown form");
        } catch (BuildException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("1 references to") && e.getMessage().contains("clang-16"));
        }
    }
}
