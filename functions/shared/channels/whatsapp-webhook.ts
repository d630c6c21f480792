import * as z from '../zod.ts';

/**
 * The parts of a WhatsApp Business Account webhook this reads (Meta's payload reference: messages and statuses
 * under entry[].changes[].value); everything else in it is ignored, not refused.
 */
export const WhatsAppWebhook = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.object({
            statuses: z.optional(
              z.array(
                z.object({
                  id: z.string(),
                  status: z.string(),
                  timestamp: z.string().check(z.regex(/^\d+$/)),
                  biz_opaque_callback_data: z.optional(z.string()),
                  errors: z.optional(z.array(z.object({ code: z.number(), title: z.optional(z.string()) }))),
                }),
              ),
            ),
            messages: z.optional(
              z.array(
                z.object({
                  id: z.string(),
                  from: z.string(),
                  type: z.string(),
                  context: z.optional(z.object({ id: z.string() })),
                  button: z.optional(z.object({ payload: z.string(), text: z.optional(z.string()) })),
                }),
              ),
            ),
          }),
        }),
      ),
    }),
  ),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhook>;
