import { z } from "zod";

// Profile fields shared by signup (/auth) and profile edits (/users).

export const handle = z.string().regex(/^[A-Za-z0-9_]{3,30}$/, "3-30 letters, digits or _");

/**
 * NFC-normalized (one spelling per visible name), then refused if it holds control (Cc: NUL, …)
 * or format (Cf: bidi overrides, zero-width characters) characters, which can disguise a name.
 */
export const displayName = z
  .string()
  .transform((s) => s.normalize("NFC"))
  .pipe(
    z
      .string()
      .regex(/^[^\p{Cc}\p{Cf}]*$/u, "must not contain control or format characters (NUL, bidi overrides, zero-width characters)")
      .trim()
      .min(1, "must not be empty")
      .max(100, "at most 100 characters"),
  );
