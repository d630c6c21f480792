import * as z from 'zod';

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
            statuses: z
              .array(
                z.object({
                  id: z.string(),
                  status: z.string(),
                  timestamp: z.string().regex(/^\d+$/),
                  biz_opaque_callback_data: z.string().optional(),
                  errors: z.array(z.object({ code: z.number(), title: z.string().optional() })).optional(),
                }),
              )
              .optional(),
            messages: z
              .array(
                z.object({
                  id: z.string(),
                  from: z.string(),
                  type: z.string(),
                  context: z.object({ id: z.string() }).optional(),
                  button: z.object({ payload: z.string(), text: z.string().optional() }).optional(),
                }),
              )
              .optional(),
          }),
        }),
      ),
    }),
  ),
});
export type WhatsAppWebhook = z.infer<typeof WhatsAppWebhook>;
