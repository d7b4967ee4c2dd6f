/** A request that names an account by its email (resend verification, forgot password), as the client sent it. */
export interface EmailInput {
  email?: unknown;
}
