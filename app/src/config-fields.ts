import { z } from "zod";

// Field types shared by the config modules (config.ts, config-auth.ts).

export const int = (min: number, max: number) =>
  z.coerce
    .number()
    .refine((n) => Number.isFinite(n), "must be a number")
    .refine((n) => Number.isInteger(n), "must be an integer")
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

export const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
