import { z } from "zod";

export const fullOptions = z.object({}).strict();
