/** Links in emails are built from the configured public URL only, never from a request. */
export function verificationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/account/verify-email?token=${encodeURIComponent(token)}`;
}

export function resetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/account/reset-password?token=${encodeURIComponent(token)}`;
}

export function emailChangeLink(publicUrl: string, token: string): string {
  return `${publicUrl}/account/confirm-email-change?token=${encodeURIComponent(token)}`;
}
