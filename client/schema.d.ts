// Generated from /openapi.json by `npm run client:generate` (openapi-typescript). Do not edit.

export interface paths {
  '/api/auth/signup': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Create an account and send the verification email
     * @description The account starts unverified: logging in is refused until the emailed link is opened. Limited per client IP.
     */
    post: operations['signUp'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/verify-email': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Confirm an email address (idempotent)
     * @description Marks the address of the account the token was issued for as verified.
     */
    get: operations['verifyEmail'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/resend-verification': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send a new verification email
     * @description Same answer whether or not the account exists or is verified; at most one email per address per minute.
     */
    post: operations['resendVerification'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Log in and receive a token pair
     * @description 401 alike for an unknown email and a wrong password; 403 only after a correct password. Too many failures for one email from one IP → 429 (see the rate limits: a stranger cannot lock the owner out). 503 with Retry-After when the password hashing queue is full.
     */
    post: operations['logIn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/refresh': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Exchange a refresh token for a new pair
     * @description A refresh token works once; replaying a used one answers 401 and revokes that session.
     */
    post: operations['refreshSession'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/logout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * End the session (its access and refresh tokens stop working at once)
     * @description Revokes the calling session; the refresh token sent must be this session’s.
     */
    post: operations['logOut'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/forgot-password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Send a password reset email
     * @description Same answer, in the same time, whether or not the account exists (the lookup and the email happen after the answer); at most one email per address per minute. 503 with Retry-After when the background queue is full.
     */
    post: operations['forgotPassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/reset-password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Set a new password with a reset token
     * @description The token is single-use; afterwards every existing token of the user is refused and a confirmation email is sent.
     */
    post: operations['resetPassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/auth/confirm-email-change': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Switch to the new email address with the emailed token
     * @description The token is the proof (no Bearer). Single-use; a newer request makes older links invalid. The new address is verified, and a notice goes to the old one; every password-reset link issued before the switch stops working (they went to the old address). Limited per client IP like the other auth routes.
     */
    post: operations['confirmEmailChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The signed-in user
     * @description The account the access token belongs to.
     */
    get: operations['getMe'];
    put?: never;
    post?: never;
    /**
     * Delete your account and everything it owns
     * @description Contacts, sessions, one-time tokens, queued emails and the avatar go; every token is refused at once; a goodbye email is sent; the address can sign up again. A wrong password is 403 `WRONG_PASSWORD` and counts as a failed login (429 past the limit). Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.
     */
    delete: operations['deleteMe'];
    options?: never;
    head?: never;
    /**
     * Change your username (the only field edited directly)
     * @description The email and the password have their own routes, which ask for the current password.
     */
    patch: operations['updateMe'];
    trace?: never;
  };
  '/api/users/me/password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Change your password
     * @description Every other session is revoked at once and the old access token is refused; the calling session gets the new pair. A "password changed" email is sent. A wrong current password is 403 `WRONG_PASSWORD` and counts as a failed login. Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.
     */
    post: operations['changePassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me/email': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Ask to change your email address
     * @description Nothing changes yet: a link to `/account/confirm-email-change` goes to the new address (expires after `VERIFY_TOKEN_TTL_S`; only the newest works), and a notice with the new address partly masked goes to the current one. 409 `EMAIL_TAKEN` if another account uses the address. At most one confirmation per new address per minute (a further request still answers 202; the notice is always sent). Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.
     */
    post: operations['requestEmailChange'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your live sessions
     * @description One per login that has not ended; never a token or a hash.
     */
    get: operations['listSessions'];
    put?: never;
    post?: never;
    /**
     * Log out everywhere else
     * @description Every session but the calling one is revoked at once (its access and refresh tokens refused).
     */
    delete: operations['revokeOtherSessions'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me/sessions/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * End one of your sessions
     * @description Its access and refresh tokens are refused at once. Another user's session or an unknown id → 404.
     */
    delete: operations['revokeSession'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Everything the service holds about you, as a JSON file
     * @description No hashes, no tokens. Sent with `Content-Disposition: attachment; filename="account-export.json"`. Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`).
     */
    get: operations['exportAccount'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me/avatar': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /**
     * Upload a new avatar
     * @description Limited per user with the account export (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`), counted before the upload is read. The uploads of an instance share a bounded amount of memory: past it an upload waits its turn, and too many waiting, or waiting 15 s, is 503 UPLOADS_BUSY with Retry-After. A body that stops for 10 s, or arrives slower than 64 KiB/s after the first 10 s, is 408 REQUEST_TIMEOUT.
     */
    patch: operations['updateAvatar'];
    trace?: never;
  };
  '/api/users/me/app-passwords': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Your app passwords
     * @description Names and dates; never a password.
     */
    get: operations['listAppPasswords'];
    put?: never;
    /**
     * Make a password for one device’s CardDAV sync
     * @description The password is in this answer and never again (only a digest is kept). At most 20 per account (422 past it). A wrong current password is 403 `WRONG_PASSWORD` and counts as a failed login (429 past the limit). Spends the client IP’s auth budget (`RATE_LIMIT_AUTH_MAX`), like a login.
     */
    post: operations['createAppPassword'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/users/me/app-passwords/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke an app password
     * @description The device using it is refused at once, on every instance. Another user's app password or an unknown id → 404.
     */
    delete: operations['revokeAppPassword'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Search and page through contacts
     * @description Your contacts, filtered by every parameter given (`q` across names, organization, emails, labels and phone digits, case- and accent-insensitive; `label`; `firstName`, `lastName`, `email`), sorted by `sort`, one page at a time; `fields` keeps only the fields named (and `id`).
     */
    get: operations['listContacts'];
    put?: never;
    /**
     * Add a contact
     * @description Stores a new contact in your book; its address is in `Location`. An email another contact of your book holds is 409 CONTACT_EMAIL_TAKEN. Limited per user (`RATE_LIMIT_CONTACT_CREATE_MAX`).
     */
    post: operations['createContact'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/export': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The whole book as a vCard file
     * @description Every contact as one card: vCard 4.0 (RFC 6350) by default, 3.0 (RFC 2426) with `version=3.0`. Each card has the `UID` it came with (import, CardDAV), else the contact id, every field the contact has, its photo inline (`photos=false` leaves photos out), and every property of the card it came from that the model has no field for. Lines end in CRLF and are folded at 75 octets. Streamed: a large book is never held in memory.
     */
    get: operations['exportContacts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/import': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Add the contacts of a vCard or CSV file
     * @description vCard 2.1, 3.0 or 4.0 as address books export them (folded lines, quoted-printable, CHARSET, grouped properties, several cards), or CSV (`text/csv`) as Google Contacts and Outlook export it. Each card or row becomes one contact with every field it has, its photo and the card’s other properties kept. A card with neither a name nor an organization, with an invalid field, or whose email is already in the book (the reason names that contact) or earlier in the file is skipped and reported; the others are stored in one transaction. Counts as one creation for RATE_LIMIT_CONTACT_CREATE_MAX. vCard is also accepted as `text/x-vcard` and `text/directory`; in `multipart/form-data`, a file sent as `text/csv` or named `*.csv` is read as CSV. Over CONTACTS_IMPORT_MAX_BYTES, or over 50,000 cards (TOO_MANY_CARDS), is 413; a file that is neither is 415 or 422.
     */
    post: operations['importContacts'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/birthdays': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Birthdays from today through today + days (UTC)
     * @description Across the new year; 29 February birthdays fall on 28 February in common years.
     */
    get: operations['upcomingBirthdays'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One contact
     * @description The contact with its ETag (`fields` keeps only the fields named, and `id`); with `If-None-Match` holding its current tag, 304 and no body.
     */
    get: operations['getContact'];
    /**
     * Replace a contact
     * @description Every field as sent; a field left out is cleared (the photo and the properties kept from the card it came from stay). Gaining an email another contact of your book holds is 409 CONTACT_EMAIL_TAKEN. With `If-Match`, only while the contact is still at that version.
     */
    put: operations['replaceContact'];
    post?: never;
    /**
     * Delete a contact
     * @description Moves the contact to the trash (restorable for CONTACTS_TRASH_DAYS, then purged). With `If-Match`, only while the contact is still at that version.
     */
    delete: operations['deleteContact'];
    options?: never;
    head?: never;
    /**
     * Change some fields of a contact
     * @description Only the fields given change: `null` clears an optional field, `[]` empties a list; `email`/`phone` act on the first entries. Gaining an email another contact of your book holds is 409 CONTACT_EMAIL_TAKEN; a change that adds no email never is. With `If-Match`, only while the contact is still at that version.
     */
    patch: operations['updateContact'];
    trace?: never;
  };
  '/api/contacts/{id}/photo': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Give a contact a photo
     * @description The image as the body with its `image/*` type, or as `multipart/form-data` in the field `photo`. PNG, JPEG, WebP or GIF, judged by content (anything else is 415); at most CONTACT_PHOTO_MAX_BYTES (413). It is stored at most 512×512 (aspect kept; the first frame of an animation), re-encoded as JPEG (PNG when it has transparency) with none of its metadata (EXIF, GPS, ICC, comments), under an unguessable `photoUrl`; the photo it replaces leaves the store. An image whose header declares more than 50 megapixels is refused (422) before it is decoded. With `If-Match`, only while the contact is still at that version (412). Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX` per `RATE_LIMIT_ACCOUNT_WINDOW_S`), counted before the upload is read; past the memory uploads share, 503 UPLOADS_BUSY with Retry-After; a body that stops for 10 s, or arrives slower than 64 KiB/s after the first 10 s, is 408.
     */
    put: operations['setContactPhoto'];
    post?: never;
    /**
     * Take a contact’s photo away
     * @description The photo leaves the contact and the store (a contact without one is left as it is). With `If-Match`, only while the contact is still at that version. Limited per user with avatar uploads (`RATE_LIMIT_ACCOUNT_MAX`).
     */
    delete: operations['removeContactPhoto'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/duplicates': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Contacts that look like one person
     * @description Groups of contacts that share an email (compared case-insensitively), a phone (the same number whatever its formatting; one written with and without its country code or trunk prefix matches, as numbers are compared by their last nine digits, extension left out) or the same full name (first, middle and last, case- and accent-insensitive; contacts without a name never match). Links are transitive, so a contact is in at most one group; the group’s `reason` is its strongest link (email, then phone, then name).
     */
    get: operations['findDuplicateContacts'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/{id}/merge': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Fold contacts into this one
     * @description This contact keeps its own values and fills each empty field (names, organization, department, job title, birthday, anniversary, notes, photo) from the contacts of `ids` in their order; emails, phones, addresses, URLs and labels are united without repeats (the same email case-insensitively, the same phone digits, the same address or URL, the same label case-insensitively), its own first, and a list past its limit (20 entries, 50 labels) keeps its first ones. The contacts of `ids` then go to the trash with their own vCard properties and photos (the one this contact took moves here). All or nothing: 404 if an id is not in your book, 422 if `ids` is empty, names this contact, names one twice or holds more than 50. A merge may leave this contact with an email another contact holds; it is never refused for it.
     */
    post: operations['mergeContacts'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/trash': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The contacts in the trash
     * @description Deleted contacts wait here for CONTACTS_TRASH_DAYS (30 by default), then are purged for good. Most recently deleted first.
     */
    get: operations['listTrash'];
    put?: never;
    post?: never;
    /**
     * Purge the whole trash now
     * @description Every trashed contact is purged for good, its photo removed from storage; synchronising devices see them as deleted.
     */
    delete: operations['emptyTrash'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/trash/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Purge one trashed contact now
     * @description The contact is purged for good, its photo removed from storage. 404 when it is not in the trash (a live contact is deleted first).
     */
    delete: operations['purgeTrashedContact'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/{id}/restore': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Bring a contact back from the trash
     * @description Back in the book as it was when deleted. 404 when it is not in the trash; 409 CONTACT_EMAIL_TAKEN while a live contact holds one of its emails.
     */
    post: operations['restoreContact'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/contacts/changes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * What changed since a sync token
     * @description Without `since`, every live contact; with it, every contact created, changed, restored, trashed or purged after it, in the order the changes were committed, each contact once with its latest state. Follow `next` while `more` is true: a client that does sees every change exactly once, even while other devices write. A token works on every instance for CONTACTS_TRASH_DAYS; an older one answers 410 SYNC_TOKEN_EXPIRED (start again without `since`), a malformed one 400 INVALID_SYNC_TOKEN.
     */
    get: operations['listContactChanges'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/labels': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The labels of your contacts
     * @description Every label your contacts carry, with how many carry it, by name (case-insensitive order).
     */
    get: operations['listLabels'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/labels/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Take a label off every contact
     * @description The contacts stay, without the label. 404 when no contact carries it (a client showing it holds a stale list).
     */
    delete: operations['deleteLabel'];
    options?: never;
    head?: never;
    /**
     * Rename a label on every contact
     * @description Every contact carrying the label (compared case-insensitively) carries the new name instead; when some already carry a label of that name, the two merge and no contact ends with both. 404 when no contact carries the label.
     */
    patch: operations['renameLabel'];
    trace?: never;
  };
  '/account/forgot-password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Form asking for the email
     * @description Where the login page sends a user who forgot the password.
     */
    get: operations['forgotPasswordPage'];
    put?: never;
    /**
     * Send the reset email; always shows "check your inbox"
     * @description Whether or not an account uses the address, as the API route does. Limited per client IP.
     */
    post: operations['forgotPasswordSubmit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/account/reset-password': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The reset link: a form for a new password (does not consume the token)
     * @description Checks the token and shows the form; the token is spent only when the form is sent.
     */
    get: operations['resetPasswordPage'];
    put?: never;
    /**
     * Set the new password
     * @description The two passwords must match and pass the password policy. Limited per client IP.
     */
    post: operations['resetPasswordSubmit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/account/verify-email': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The verification link: confirms the email and says so
     * @description Idempotent: a second click confirms again. A dead link offers to send a new one.
     */
    get: operations['verifyEmailPage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/account/resend-verification': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Form asking for the email to send a new confirmation link to
     * @description Where a dead verification link leads.
     */
    get: operations['resendVerificationPage'];
    put?: never;
    /**
     * Send a new confirmation link; always shows "check your inbox"
     * @description Whether or not an unverified account uses the address, as the API route does. Limited per client IP.
     */
    post: operations['resendVerificationSubmit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/account/confirm-email-change': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Shows the new address and a "Confirm" button; does not use the link
     * @description Mail scanners open links: only the button changes the address.
     */
    get: operations['confirmEmailChangePage'];
    put?: never;
    /**
     * Switches the email address (form post of `token`)
     * @description The button of the confirmation page. Limited per client IP.
     */
    post: operations['confirmEmailChangeForm'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/media/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * An avatar or a contact photo stored on local disk (only when CLOUDINARY_URL is unset)
     * @description The address is the avatarUrl of a user (it carries a content version) or the photoUrl of a contact (a new name for every photo), so it may be cached for a day.
     */
    get: operations['avatarFile'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Liveness: 200 while the process runs
     * @description Checks nothing beyond the process answering; for a liveness probe.
     */
    get: operations['health'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Readiness: the database (and Redis, if configured) answer
     * @description Each check has a few seconds to answer; a failed one is named in the 503. From the start of a shutdown on, 503 SHUTTING_DOWN.
     */
    get: operations['ready'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/openapi.json': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * This document
     * @description The OpenAPI 3.1 document of the API, assembled from the same route declarations the server is built from.
     */
    get: operations['openApi'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/docs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Interactive documentation of this document
     * @description Swagger UI, served from this origin (no CDN), reading /openapi.json.
     */
    get: operations['docs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description RFC 9457 problem details; every error response has this shape. */
    Problem: {
      /** @example about:blank */
      type: string;
      /** @example Conflict */
      title: string;
      /** @example 409 */
      status: number;
      /**
       * @description Stable machine code.
       * @example EMAIL_TAKEN
       */
      code: string;
      /** @example An account with this email already exists. */
      detail: string;
      /** @description Only on 422: one entry per invalid field. */
      errors?: components['schemas']['FieldError'][];
    };
    FieldError: {
      field: string;
      message: string;
    };
    User: {
      /** Format: uuid */
      id: string;
      username: string;
      /** Format: email */
      email: string;
      emailVerified: boolean;
      /** @description The uploaded avatar, or an identicon until one is uploaded. */
      avatarUrl: string;
      /** Format: date-time */
      createdAt: string;
    };
    /** @description Unknown fields (such as emailVerified) are ignored. */
    SignupRequest: {
      username: string;
      /**
       * Format: email
       * @description Compared case-insensitively.
       */
      email: string;
      /**
       * Format: password
       * @description 8–72 bytes of UTF-8, never truncated, not a well-known password.
       */
      password: string;
    };
    LoginRequest: {
      /** Format: email */
      email: string;
      /** Format: password */
      password: string;
    };
    /** @description The OAuth2 password flow: `username` holds the email. */
    LoginForm: {
      /** Format: email */
      username: string;
      /** Format: password */
      password: string;
      /** @constant */
      grant_type?: 'password';
    };
    TokenPair: {
      /** @description A JWT for `Authorization: Bearer …`. */
      accessToken: string;
      /** @description Works once: POST /api/auth/refresh answers a new pair. */
      refreshToken: string;
      /** @constant */
      tokenType: 'Bearer';
      /** @description Seconds until the access token expires. */
      expiresIn: number;
    };
    RefreshRequest: {
      refreshToken: string;
    };
    EmailRequest: {
      /** Format: email */
      email: string;
    };
    ResetPasswordRequest: {
      /** @description The one-time token from the reset link. */
      token: string;
      /**
       * Format: password
       * @description 8–72 bytes of UTF-8, not a well-known password.
       */
      password: string;
    };
    VerifyEmailResponse: {
      message: string;
      user: components['schemas']['User'];
    };
    AvatarUpload: {
      /** @description PNG, JPEG, WebP or GIF, judged by content; at most AVATAR_MAX_BYTES. */
      avatar: string;
    };
    UsernameRequest: {
      /** @description Trimmed; no control characters. */
      username: string;
    };
    ChangePasswordRequest: {
      /** Format: password */
      currentPassword: string;
      /**
       * Format: password
       * @description Same rules as signup; must differ from the current one.
       */
      newPassword: string;
    };
    EmailChangeRequest: {
      /** Format: email */
      newEmail: string;
      /** Format: password */
      currentPassword: string;
    };
    TokenRequest: {
      /** @description The one-time token from the emailed link. */
      token: string;
    };
    PasswordRequest: {
      /** Format: password */
      password: string;
    };
    /** @description A login (one refresh-token chain). Never shows a token or a hash. */
    Session: {
      /** Format: uuid */
      id: string;
      /** Format: date-time */
      createdAt: string;
      /**
       * Format: date-time
       * @description Last use of one of its tokens; up to a minute behind.
       */
      lastUsedAt: string;
      /** @description The User-Agent of the login, control characters removed. */
      userAgent: string | null;
      /** @description The session this request came with. */
      current: boolean;
    };
    SessionList: {
      /** @description Live sessions, newest first. */
      items: components['schemas']['Session'][];
    };
    AccountExport: {
      /** Format: date-time */
      exportedAt: string;
      user: components['schemas']['User'];
      /** @description Every contact, oldest first. */
      contacts: components['schemas']['Contact'][];
      /** @description The contacts in the trash, each with `deletedAt`, most recently deleted first. */
      trash: components['schemas']['TrashedContact'][];
      /** @description Every label of the book with its count, by name. */
      labels: components['schemas']['Label'][];
      /** @description The group cards the book received (import, CardDAV), by label. */
      groups: {
        /** @description The label the group card names. */
        label: string;
        /** @description The group card's UID. */
        uid: string;
        /** @description The group card as vCard 4.0, naming the contacts carrying the label. */
        vcard: string;
      }[];
      /** @description Every session stored, ended ones included, newest first. */
      sessions: (components['schemas']['Session'] & {
        /** Format: date-time */
        expiresAt: string;
        /** Format: date-time */
        revokedAt: string | null;
      })[];
      /** @description Every app password, newest first; never the password. */
      appPasswords: components['schemas']['AppPassword'][];
    };
    /** @description A password for one device’s CardDAV sync. Never shows the password. */
    AppPassword: {
      /** Format: uuid */
      id: string;
      /** @description What you called it, e.g. "Anna’s iPhone". */
      name: string;
      /** Format: date-time */
      createdAt: string;
      /**
       * Format: date-time
       * @description When it last let a CardDAV request in; up to a minute behind; null when never.
       */
      lastUsedAt: string | null;
    };
    AppPasswordList: {
      /** @description Newest first. */
      items: components['schemas']['AppPassword'][];
    };
    AppPasswordRequest: {
      /** @description Trimmed; no control characters. */
      name: string;
      /**
       * Format: password
       * @description Your account password.
       */
      currentPassword: string;
    };
    CreatedAppPassword: {
      /** Format: uuid */
      id: string;
      name: string;
      /**
       * Format: password
       * @description Shown only in this answer: 100 random bits as 5 groups of 4 lowercase letters and digits (no i, l, o, u), dashes optional when typed.
       * @example k3fq-9x2m-a7hw-c0pz-t5nd
       */
      password: string;
      /** Format: date-time */
      createdAt: string;
    };
    Message: {
      message: string;
    };
    /** @description Every field is always present (`null`, `""` or `[]` when empty). */
    Contact: {
      /** @description Opaque. */
      id: string;
      /** @description 1–50 characters; `""` only on a company’s card (one with an `organization`). */
      firstName: string;
      /** @description `""` when the contact has none. */
      lastName: string;
      /** @description `""` when none. */
      middleName: string;
      /** @description Honorific prefix (`Dr.`); `""` when none. */
      prefix: string;
      /** @description Honorific suffix (`Jr.`); `""` when none. */
      suffix: string;
      /** @description `""` when none. */
      nickname: string;
      /** @description Company; `""` when none. */
      organization: string;
      /** @description `""` when none. */
      department: string;
      /** @description `""` when none. */
      jobTitle: string;
      /** @description Email addresses, the first being `email`. */
      emails: {
        /** Format: email */
        value: string;
        /**
         * @description `home`, `work`, `other` or custom text; `other` when absent.
         * @example home
         */
        label: string;
      }[];
      /** @description Phone numbers, the first being `phone`. */
      phones: {
        /**
         * @description As people write numbers: digits, spaces, `+ - ( ) . /`, and an extension such as `x123`, `ext. 123` or `;ext=123`.
         * @example +1 (555) 010-0200 ext. 12
         */
        value: string;
        /**
         * @description `mobile`, `home`, `work`, `main`, `fax`, `pager`, `other` or custom text; `other` when absent.
         * @example mobile
         */
        label: string;
      }[];
      addresses: {
        /**
         * @description `home`, `work`, `other` or custom text; `other` when absent.
         * @example home
         */
        label: string;
        poBox: string;
        extended: string;
        street: string;
        locality: string;
        region: string;
        postalCode: string;
        country: string;
      }[];
      /** @description Web sites and profiles. */
      urls: {
        /**
         * Format: uri
         * @description An absolute `http` or `https` URL.
         */
        value: string;
        /**
         * @description `home`, `work`, `other` or custom text; `other` when absent.
         * @example home
         */
        label: string;
      }[];
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      birthday: string | null;
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      anniversary: string | null;
      /** @description Free text; line breaks and tabs allowed. */
      notes: string | null;
      /**
       * @description The contact’s groups; unique compared case-insensitively, the first spelling kept.
       * @example [
       *       "Family",
       *       "Climbing"
       *     ]
       */
      labels: string[];
      /**
       * Format: email
       * @description The first of `emails` (null without one). Compared case-insensitively, no two contacts of a book share an email over REST.
       */
      email: string | null;
      /**
       * @description The first of `phones` (null without one).
       * @example +1 (555) 010-0200 ext. 12
       */
      phone: string | null;
      /**
       * Format: uri
       * @description The contact’s photo (PUT /api/contacts/{id}/photo); null without one.
       */
      photoUrl: string | null;
      /**
       * @description The same strong entity tag as the `ETag` header.
       * @example "3"
       */
      etag: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    /** @description With `fields=`: only the fields named, and `id`. */
    PartialContact: {
      /** @description 1–50 characters; `""` only on a company’s card (one with an `organization`). */
      firstName?: string;
      /** @description `""` when the contact has none. */
      lastName?: string;
      /** @description `""` when none. */
      middleName?: string;
      /** @description Honorific prefix (`Dr.`); `""` when none. */
      prefix?: string;
      /** @description Honorific suffix (`Jr.`); `""` when none. */
      suffix?: string;
      /** @description `""` when none. */
      nickname?: string;
      /** @description Company; `""` when none. */
      organization?: string;
      /** @description `""` when none. */
      department?: string;
      /** @description `""` when none. */
      jobTitle?: string;
      /** @description Email addresses, the first being `email`. */
      emails?: {
        /** Format: email */
        value: string;
        /**
         * @description `home`, `work`, `other` or custom text; `other` when absent.
         * @example home
         */
        label: string;
      }[];
      /** @description Phone numbers, the first being `phone`. */
      phones?: {
        /**
         * @description As people write numbers: digits, spaces, `+ - ( ) . /`, and an extension such as `x123`, `ext. 123` or `;ext=123`.
         * @example +1 (555) 010-0200 ext. 12
         */
        value: string;
        /**
         * @description `mobile`, `home`, `work`, `main`, `fax`, `pager`, `other` or custom text; `other` when absent.
         * @example mobile
         */
        label: string;
      }[];
      addresses?: {
        /**
         * @description `home`, `work`, `other` or custom text; `other` when absent.
         * @example home
         */
        label: string;
        poBox: string;
        extended: string;
        street: string;
        locality: string;
        region: string;
        postalCode: string;
        country: string;
      }[];
      /** @description Web sites and profiles. */
      urls?: {
        /**
         * Format: uri
         * @description An absolute `http` or `https` URL.
         */
        value: string;
        /**
         * @description `home`, `work`, `other` or custom text; `other` when absent.
         * @example home
         */
        label: string;
      }[];
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      birthday?: string | null;
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      anniversary?: string | null;
      /** @description Free text; line breaks and tabs allowed. */
      notes?: string | null;
      /**
       * @description The contact’s groups; unique compared case-insensitively, the first spelling kept.
       * @example [
       *       "Family",
       *       "Climbing"
       *     ]
       */
      labels?: string[];
      /**
       * Format: email
       * @description The first of `emails` (null without one). Compared case-insensitively, no two contacts of a book share an email over REST.
       */
      email?: string | null;
      /**
       * @description The first of `phones` (null without one).
       * @example +1 (555) 010-0200 ext. 12
       */
      phone?: string | null;
      /**
       * Format: uri
       * @description The contact’s photo (PUT /api/contacts/{id}/photo); null without one.
       */
      photoUrl?: string | null;
      /**
       * @description The same strong entity tag as the `ETag` header.
       * @example "3"
       */
      etag?: string;
      /** Format: date-time */
      createdAt?: string;
      /** Format: date-time */
      updatedAt?: string;
      /** @description Opaque. */
      id: string;
    };
    /** @description A whole contact (create, full replacement): a field left out is cleared (`""`, `[]` or null), except the photo. `firstName` is required unless the contact has an `organization` (a company’s card). In a body without `emails` (`phones`), `email` (`phone`) replaces the first entry (keeping its label) or adds one labelled `other`, and null removes the first entry; a body with both must agree on the first entry, else 422. Unknown fields (id, etag, timestamps) are ignored. */
    ContactInput: {
      /** @description 1–50 characters; `""` only on a company’s card (one with an `organization`). */
      firstName?: string | null;
      /** @description `""` when the contact has none. */
      lastName?: string | null;
      /** @description `""` when none. */
      middleName?: string | null;
      /** @description Honorific prefix (`Dr.`); `""` when none. */
      prefix?: string | null;
      /** @description Honorific suffix (`Jr.`); `""` when none. */
      suffix?: string | null;
      /** @description `""` when none. */
      nickname?: string | null;
      /** @description Company; `""` when none. */
      organization?: string | null;
      /** @description `""` when none. */
      department?: string | null;
      /** @description `""` when none. */
      jobTitle?: string | null;
      /** @description Email addresses, the first being `email`. */
      emails?:
        | {
            /** Format: email */
            value: string;
            /**
             * @description `home`, `work`, `other` or custom text; `other` when absent.
             * @example home
             */
            label: string;
          }[]
        | null;
      /** @description Phone numbers, the first being `phone`. */
      phones?:
        | {
            /**
             * @description As people write numbers: digits, spaces, `+ - ( ) . /`, and an extension such as `x123`, `ext. 123` or `;ext=123`.
             * @example +1 (555) 010-0200 ext. 12
             */
            value: string;
            /**
             * @description `mobile`, `home`, `work`, `main`, `fax`, `pager`, `other` or custom text; `other` when absent.
             * @example mobile
             */
            label: string;
          }[]
        | null;
      addresses?:
        | {
            /**
             * @description `home`, `work`, `other` or custom text; `other` when absent.
             * @example home
             */
            label: string;
            poBox: string;
            extended: string;
            street: string;
            locality: string;
            region: string;
            postalCode: string;
            country: string;
          }[]
        | null;
      /** @description Web sites and profiles. */
      urls?:
        | {
            /**
             * Format: uri
             * @description An absolute `http` or `https` URL.
             */
            value: string;
            /**
             * @description `home`, `work`, `other` or custom text; `other` when absent.
             * @example home
             */
            label: string;
          }[]
        | null;
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      birthday?: string | null;
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      anniversary?: string | null;
      /** @description Free text; line breaks and tabs allowed. */
      notes?: string | null;
      /**
       * @description The contact’s groups; unique compared case-insensitively, the first spelling kept.
       * @example [
       *       "Family",
       *       "Climbing"
       *     ]
       */
      labels?: string[] | null;
      /**
       * Format: email
       * @description The first of `emails` (null without one). Compared case-insensitively, no two contacts of a book share an email over REST.
       */
      email?: string | null;
      /**
       * @description The first of `phones` (null without one).
       * @example +1 (555) 010-0200 ext. 12
       */
      phone?: string | null;
    };
    ImportReport: {
      /** @description Contacts added. */
      created: number;
      /** @description Each card not imported, in file order. */
      skipped: {
        /** @description Position of the card in the file, from 0. */
        index: number;
        /** @description The name the card shows (FN, else N), if any. */
        name: string | null;
        /**
         * @description Why the card was skipped; for an email the book already holds, the id of the contact holding it.
         * @example a contact with this email is already in your book: 0b6c52c9-a0a5-4743-a52f-a5098f3af405
         * @example the card has neither a name nor an organization
         */
        reason: string;
      }[];
      /** @description Present when the file had group cards (`KIND:group`, `X-ADDRESSBOOKSERVER-KIND:group`): how many were kept. Their members carry the group name as a label, and export writes the cards back. */
      groups?: number;
    };
    VCardUpload: {
      /** @description A vCard file (.vcf), or a CSV file (.csv, or sent with the type `text/csv`); at most CONTACTS_IMPORT_MAX_BYTES. */
      file: string;
    };
    /** @description Only the fields to change: `null` clears an optional field, `[]` empties a list. In a body without `emails` (`phones`), `email` (`phone`) replaces the first entry (keeping its label) or adds one labelled `other`, and null removes the first entry; a body with both must agree on the first entry, else 422. */
    ContactPatch: {
      /** @description 1–50 characters; `""` only on a company’s card (one with an `organization`). */
      firstName?: string | null;
      /** @description `""` when the contact has none. */
      lastName?: string | null;
      /** @description `""` when none. */
      middleName?: string | null;
      /** @description Honorific prefix (`Dr.`); `""` when none. */
      prefix?: string | null;
      /** @description Honorific suffix (`Jr.`); `""` when none. */
      suffix?: string | null;
      /** @description `""` when none. */
      nickname?: string | null;
      /** @description Company; `""` when none. */
      organization?: string | null;
      /** @description `""` when none. */
      department?: string | null;
      /** @description `""` when none. */
      jobTitle?: string | null;
      /** @description Email addresses, the first being `email`. */
      emails?:
        | {
            /** Format: email */
            value: string;
            /**
             * @description `home`, `work`, `other` or custom text; `other` when absent.
             * @example home
             */
            label: string;
          }[]
        | null;
      /** @description Phone numbers, the first being `phone`. */
      phones?:
        | {
            /**
             * @description As people write numbers: digits, spaces, `+ - ( ) . /`, and an extension such as `x123`, `ext. 123` or `;ext=123`.
             * @example +1 (555) 010-0200 ext. 12
             */
            value: string;
            /**
             * @description `mobile`, `home`, `work`, `main`, `fax`, `pager`, `other` or custom text; `other` when absent.
             * @example mobile
             */
            label: string;
          }[]
        | null;
      addresses?:
        | {
            /**
             * @description `home`, `work`, `other` or custom text; `other` when absent.
             * @example home
             */
            label: string;
            poBox: string;
            extended: string;
            street: string;
            locality: string;
            region: string;
            postalCode: string;
            country: string;
          }[]
        | null;
      /** @description Web sites and profiles. */
      urls?:
        | {
            /**
             * Format: uri
             * @description An absolute `http` or `https` URL.
             */
            value: string;
            /**
             * @description `home`, `work`, `other` or custom text; `other` when absent.
             * @example home
             */
            label: string;
          }[]
        | null;
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      birthday?: string | null;
      /**
       * @description Null when unknown. A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).
       * @example 1990-05-17
       * @example --05-17
       */
      anniversary?: string | null;
      /** @description Free text; line breaks and tabs allowed. */
      notes?: string | null;
      /**
       * @description The contact’s groups; unique compared case-insensitively, the first spelling kept.
       * @example [
       *       "Family",
       *       "Climbing"
       *     ]
       */
      labels?: string[] | null;
      /**
       * Format: email
       * @description The first of `emails` (null without one). Compared case-insensitively, no two contacts of a book share an email over REST.
       */
      email?: string | null;
      /**
       * @description The first of `phones` (null without one).
       * @example +1 (555) 010-0200 ext. 12
       */
      phone?: string | null;
    };
    ContactPage: {
      /** @description Whole contacts, or with `fields=` only the fields named (and `id`). */
      items: (components['schemas']['Contact'] | components['schemas']['PartialContact'])[];
      total: number;
      limit: number;
      offset: number;
    };
    BirthdayList: {
      /** @description Soonest birthday first. */
      items: components['schemas']['Contact'][];
    };
    DuplicateGroup: {
      /** @description The strongest link among the group: `email` when two of them share an email, else `phone` when two share a phone, else `name` (the same full name). */
      reason: 'email' | 'phone' | 'name';
      /** @description Oldest first. */
      contacts: components['schemas']['Contact'][];
    };
    DuplicateGroups: {
      /** @description In the order of their oldest contact; a contact is in at most one group. */
      groups: components['schemas']['DuplicateGroup'][];
    };
    MergeRequest: {
      /** @description The contacts folded into this one, in the order their values fill its empty fields; not this contact’s own id. */
      ids: string[];
    };
    /** @description A contact in the trash: every field of a contact, and when it was deleted. */
    TrashedContact: components['schemas']['Contact'] & {
      /**
       * Format: date-time
       * @description When it went to the trash.
       */
      deletedAt: string;
    };
    TrashPage: {
      /** @description Most recently deleted first. */
      items: components['schemas']['TrashedContact'][];
      total: number;
      limit: number;
      offset: number;
    };
    ContactChange:
      | {
          id: string;
          /** @constant */
          deleted: false;
          contact: components['schemas']['Contact'];
        }
      | {
          id: string;
          /** @constant */
          deleted: true;
        };
    ChangeList: {
      /** @description In the order they were committed; each contact once, with its latest state. */
      changes: components['schemas']['ContactChange'][];
      /** @description Where to go on from: send it as `since` next time (opaque; works on every instance). */
      next: string;
      /** @description True: more changes wait now; call again with `since=next`. */
      more: boolean;
    };
    Label: {
      /**
       * @description The label as the contacts carry it (the first spelling written).
       * @example Family
       */
      name: string;
      /** @description How many contacts carry it. */
      count: number;
    };
    LabelList: {
      /** @description By name. */
      items: components['schemas']['Label'][];
    };
    LabelRename: {
      /**
       * @description The new name; an existing label of that name (compared case-insensitively) absorbs this one.
       * @example Family
       */
      name: string;
    };
    Health: {
      /** @constant */
      status: 'ok';
    };
    Ready: {
      /** @constant */
      status: 'ready';
      /**
       * @example {
       *       "database": "ok",
       *       "redis": "ok"
       *     }
       */
      checks: {
        [key: string]: 'ok';
      };
    };
  };
  responses: {
    /** @description Malformed body (not JSON, not an object, or not decodable as its Content-Encoding says), or an invalid or expired one-time token. */
    BadRequest: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Missing, malformed, expired or revoked token; or bad credentials. */
    Unauthorized: {
      headers: {
        /** @description Always `Bearer`. */
        'WWW-Authenticate'?: string;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description EMAIL_NOT_VERIFIED: the password was right but the email is not confirmed yet. */
    Forbidden: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Absent, or owned by another user. */
    NotFound: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description REQUEST_TIMEOUT: the upload stopped arriving, or came too slowly for its size; the connection is closed. */
    RequestTimeout: {
      headers: {
        /** @description Always `close`. */
        Connection?: string;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Duplicate (EMAIL_TAKEN, CONTACT_EMAIL_TAKEN). */
    Conflict: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description SYNC_TOKEN_EXPIRED: the sync token is older than the changes the book remembers; start again without `since`. */
    Gone: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description PRECONDITION_FAILED: If-Match does not match the contact’s current ETag; nothing was changed. */
    PreconditionFailed: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Body or upload too large (JSON bodies: 1 MB; vCard imports: CONTACTS_IMPORT_MAX_BYTES). */
    PayloadTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Unsupported content type, a charset other than UTF-8 (UNSUPPORTED_MEDIA_TYPE), or an unknown Content-Encoding (UNSUPPORTED_CONTENT_ENCODING). */
    UnsupportedMediaType: {
      headers: {
        /** @description With UNSUPPORTED_CONTENT_ENCODING: the codings accepted. */
        'Accept-Encoding'?: string;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Validation failed; `errors` names each field. */
    ValidationFailed: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description Rate limit hit; retry after `Retry-After` seconds. */
    TooManyRequests: {
      headers: {
        /** @description Seconds to wait, at least 1. */
        'Retry-After'?: number;
        /** @description Requests allowed per window. */
        'X-RateLimit-Limit'?: number;
        /** @description Requests left in this window. */
        'X-RateLimit-Remaining'?: number;
        /** @description When the window resets. */
        'X-RateLimit-Reset'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description HEADERS_TOO_LARGE: the request line and headers are over the server's limit; the connection is closed. */
    HeadersTooLarge: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description AVATAR_STORAGE_FAILED: the image store answered with an error; the current avatar is unchanged. */
    BadGateway: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description A backing service does not answer (`detail` names it), a bounded queue (password hashing, background work, uploads waiting their turn: UPLOADS_BUSY, contact imports waiting theirs) is full or waited on too long, or the server is shutting down. */
    ServiceUnavailable: {
      headers: {
        /** @description Seconds to wait before trying again, when known (a full queue). */
        'Retry-After'?: number;
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
    /** @description AVATAR_STORAGE_TIMEOUT: the image store did not answer in time; the current avatar is unchanged. */
    GatewayTimeout: {
      headers: {
        [name: string]: unknown;
      };
      content: {
        'application/problem+json': components['schemas']['Problem'];
      };
    };
  };
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  signUp: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SignupRequest'];
      };
    };
    responses: {
      /** @description The new, unverified user. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            user: components['schemas']['User'];
          };
        };
      };
      400: components['responses']['BadRequest'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  verifyEmail: {
    parameters: {
      query: {
        /** @description The one-time token from the verification link. */
        token: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Confirmed (also on a second click). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['VerifyEmailResponse'];
        };
      };
      400: components['responses']['BadRequest'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  resendVerification: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['EmailRequest'];
      };
    };
    responses: {
      /** @description Accepted. */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Message'];
        };
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  logIn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['LoginRequest'];
        'application/x-www-form-urlencoded': components['schemas']['LoginForm'];
      };
    };
    responses: {
      /** @description Logged in. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TokenPair'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  refreshSession: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RefreshRequest'];
      };
    };
    responses: {
      /** @description A new token pair. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TokenPair'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  logOut: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RefreshRequest'];
      };
    };
    responses: {
      /** @description Logged out. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  forgotPassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['EmailRequest'];
      };
    };
    responses: {
      /** @description Accepted. */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Message'];
        };
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  resetPassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ResetPasswordRequest'];
      };
    };
    responses: {
      /** @description Password changed. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  confirmEmailChange: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['TokenRequest'];
      };
    };
    responses: {
      /** @description Switched. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            user: components['schemas']['User'];
          };
        };
      };
      400: components['responses']['BadRequest'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      401: components['responses']['Unauthorized'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PasswordRequest'];
      };
    };
    responses: {
      /** @description Deleted. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  updateMe: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UsernameRequest'];
      };
    };
    responses: {
      /** @description The user. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  changePassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ChangePasswordRequest'];
      };
    };
    responses: {
      /** @description A new token pair for the calling session. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TokenPair'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  requestEmailChange: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['EmailChangeRequest'];
      };
    };
    responses: {
      /** @description Accepted. */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Message'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listSessions: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Newest first; `current` marks the calling one. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['SessionList'];
        };
      };
      401: components['responses']['Unauthorized'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revokeOtherSessions: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Done. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revokeSession: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The session id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  exportAccount: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The export. */
      200: {
        headers: {
          /** @description `attachment; filename="account-export.json"` */
          'Content-Disposition'?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AccountExport'];
        };
      };
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  updateAvatar: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'multipart/form-data': components['schemas']['AvatarUpload'];
      };
    };
    responses: {
      /** @description The user with its new avatarUrl. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['User'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  listAppPasswords: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Newest first. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AppPasswordList'];
        };
      };
      401: components['responses']['Unauthorized'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createAppPassword: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['AppPasswordRequest'];
      };
    };
    responses: {
      /** @description Created; note the password now. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedAppPassword'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      403: components['responses']['Forbidden'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  revokeAppPassword: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The app password id. */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listContacts: {
    parameters: {
      query?: {
        /** @description Case- and accent-insensitive substring of any name field, the nickname, the organization, any email or any label; written like a phone number (3 digits or more), also any phone by its digits (`5550100` finds `+1 (555) 010-0`). */
        q?: string;
        /** @description Only contacts with this label (case-insensitive). */
        label?: string;
        /** @description Filter on the first name (case-insensitive substring). */
        firstName?: string;
        /** @description Filter on the last name (case-insensitive substring). */
        lastName?: string;
        /** @description Filter on the emails (case-insensitive substring). */
        email?: string;
        /** @description `created` (oldest first), `name` (last name, then first), or `relevance` (only with `q`: whole-name matches first, then prefixes, then the rest). */
        sort?: 'created' | 'name' | 'relevance';
        /** @description A comma list of top-level fields to return (`id` always comes): `id`, `firstName`, `lastName`, `middleName`, `prefix`, `suffix`, `nickname`, `organization`, `department`, `jobTitle`, `email`, `phone`, `emails`, `phones`, `addresses`, `urls`, `birthday`, `anniversary`, `notes`, `labels`, `photoUrl`, `etag`, `createdAt`, `updatedAt`. An unknown name is 422. */
        fields?: string;
        /** @description Page size. */
        limit?: number;
        /** @description Items to skip. */
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of contacts. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ContactPage'];
        };
      };
      401: components['responses']['Unauthorized'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  createContact: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ContactInput'];
      };
    };
    responses: {
      /** @description The new contact. */
      201: {
        headers: {
          /** @description Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match. */
          ETag?: string;
          /** @description Its address. */
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      409: components['responses']['Conflict'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  exportContacts: {
    parameters: {
      query?: {
        /** @description vCard version. */
        version?: '4.0' | '3.0';
        /** @description `false` leaves the photos out of the cards. */
        photos?: 'true' | 'false';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The vCard file (empty for an empty book). */
      200: {
        headers: {
          /** @description `attachment; filename="contacts.vcf"` */
          'Content-Disposition'?: string;
          [name: string]: unknown;
        };
        content: {
          'text/vcard; charset=utf-8': string;
        };
      };
      401: components['responses']['Unauthorized'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  importContacts: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'text/vcard': string;
        'text/csv': string;
        'multipart/form-data': components['schemas']['VCardUpload'];
      };
    };
    responses: {
      /** @description What was imported and what was skipped. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ImportReport'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      408: components['responses']['RequestTimeout'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  upcomingBirthdays: {
    parameters: {
      query?: {
        /** @description How many days ahead. */
        days?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Soonest first. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BirthdayList'];
        };
      };
      401: components['responses']['Unauthorized'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  getContact: {
    parameters: {
      query?: {
        /** @description A comma list of top-level fields to return (`id` always comes): `id`, `firstName`, `lastName`, `middleName`, `prefix`, `suffix`, `nickname`, `organization`, `department`, `jobTitle`, `email`, `phone`, `emails`, `phones`, `addresses`, `urls`, `birthday`, `anniversary`, `notes`, `labels`, `photoUrl`, `etag`, `createdAt`, `updatedAt`. An unknown name is 422. */
        fields?: string;
      };
      header?: {
        /** @description ETags the client holds (or `*`): 304 while one of them is still current. */
        'If-None-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The contact (with `fields=`, only the fields named and `id`). */
      200: {
        headers: {
          /** @description Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match. */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'] | components['schemas']['PartialContact'];
        };
      };
      /** @description Not modified: the If-None-Match tag is current. No body. */
      304: {
        headers: {
          /** @description Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match. */
          ETag?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  replaceContact: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of this contact (or several, comma-separated, or `*`): the write happens only while the contact is still at it, else 412 and nothing changes. */
        'If-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ContactInput'];
      };
    };
    responses: {
      /** @description The contact. */
      200: {
        headers: {
          /** @description Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match. */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteContact: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of this contact (or several, comma-separated, or `*`): the write happens only while the contact is still at it, else 412 and nothing changes. */
        'If-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      412: components['responses']['PreconditionFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  updateContact: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of this contact (or several, comma-separated, or `*`): the write happens only while the contact is still at it, else 412 and nothing changes. */
        'If-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['ContactPatch'];
      };
    };
    responses: {
      /** @description The contact. */
      200: {
        headers: {
          /** @description Strong entity tag of the contact; changes with every change. Send it back in If-None-Match or If-Match. */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  setContactPhoto: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of this contact (or several, comma-separated, or `*`): the change happens only while the contact is still at it, else 412. */
        'If-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'image/*': string;
        'multipart/form-data': {
          photo: string;
        };
      };
    };
    responses: {
      /** @description The contact with its new photoUrl. */
      200: {
        headers: {
          /** @description The contact’s new strong entity tag. */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      408: components['responses']['RequestTimeout'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      502: components['responses']['BadGateway'];
      503: components['responses']['ServiceUnavailable'];
      504: components['responses']['GatewayTimeout'];
    };
  };
  removeContactPhoto: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of this contact (or several, comma-separated, or `*`): the change happens only while the contact is still at it, else 412. */
        'If-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The contact has no photo. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      412: components['responses']['PreconditionFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  findDuplicateContacts: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The groups (none for a book without duplicates). */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DuplicateGroups'];
        };
      };
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  mergeContacts: {
    parameters: {
      query?: never;
      header?: {
        /** @description An ETag of the contact kept (or several, comma-separated, or `*`): the merge happens only while it is still at it, else 412 and nothing changes. */
        'If-Match'?: string;
      };
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['MergeRequest'];
      };
    };
    responses: {
      /** @description The merged contact. */
      200: {
        headers: {
          /** @description Its new strong entity tag. */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      412: components['responses']['PreconditionFailed'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listTrash: {
    parameters: {
      query?: {
        /** @description Page size. */
        limit?: number;
        /** @description How many to skip. */
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A page of the trash. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrashPage'];
        };
      };
      401: components['responses']['Unauthorized'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  emptyTrash: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The trash is empty. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  purgeTrashedContact: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Purged. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  restoreContact: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The contact id (opaque; a malformed id is 404). */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The restored contact. */
      200: {
        headers: {
          /** @description Its strong entity tag. */
          ETag?: string;
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Contact'];
        };
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      409: components['responses']['Conflict'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listContactChanges: {
    parameters: {
      query?: {
        /** @description The `next` of an earlier answer (opaque). Without it, every live contact. Malformed → 400 INVALID_SYNC_TOKEN; too old → 410 SYNC_TOKEN_EXPIRED. */
        since?: string;
        /** @description At most this many changes. */
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The changes and where to go on from. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ChangeList'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      410: components['responses']['Gone'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  listLabels: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The labels. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['LabelList'];
        };
      };
      401: components['responses']['Unauthorized'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  deleteLabel: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The label, URL-encoded (`/` as `%2F`); compared case-insensitively. */
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Removed. */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  renameLabel: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The label, URL-encoded (`/` as `%2F`); compared case-insensitively. */
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['LabelRename'];
      };
    };
    responses: {
      /** @description The label under its new name, with its count. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Label'];
        };
      };
      400: components['responses']['BadRequest'];
      401: components['responses']['Unauthorized'];
      404: components['responses']['NotFound'];
      413: components['responses']['PayloadTooLarge'];
      415: components['responses']['UnsupportedMediaType'];
      422: components['responses']['ValidationFailed'];
      429: components['responses']['TooManyRequests'];
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  forgotPasswordPage: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The form. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
    };
  };
  forgotPasswordSubmit: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          /** Format: email */
          email: string;
        };
      };
    };
    responses: {
      /** @description Check your inbox. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form could not be read (malformed, or not decodable as its Content-Encoding says). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form is too large. */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form was sent in another content type, charset or Content-Encoding. */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form again, with the error (a malformed address). */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Too many attempts from this client; `Retry-After` says when to come back. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service does not answer; try again shortly. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  resetPasswordPage: {
    parameters: {
      query: {
        /** @description The one-time token from the reset link. */
        token: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The form. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Invalid or expired link, with a way to get a new one. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service does not answer; try again shortly. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  resetPasswordSubmit: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          token: string;
          /** Format: password */
          password: string;
          /** Format: password */
          passwordConfirm: string;
        };
      };
    };
    responses: {
      /** @description Password changed. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Invalid or expired link (with a way to get a new one), or a form that could not be read. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form is too large. */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form was sent in another content type, charset or Content-Encoding. */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form again, with the error (the passwords differ, or the policy refuses the password). */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Too many attempts from this client; `Retry-After` says when to come back. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service does not answer; try again shortly. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  verifyEmailPage: {
    parameters: {
      query: {
        /** @description The one-time token from the verification link. */
        token: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Confirmed. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Invalid or expired link, with a way to get a new one. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service does not answer; try again shortly. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  resendVerificationPage: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The form. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
    };
  };
  resendVerificationSubmit: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          /** Format: email */
          email: string;
        };
      };
    };
    responses: {
      /** @description Check your inbox. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form could not be read (malformed, or not decodable as its Content-Encoding says). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form is too large. */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form was sent in another content type, charset or Content-Encoding. */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form again, with the error (a malformed address). */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Too many attempts from this client; `Retry-After` says when to come back. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service does not answer; try again shortly. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  confirmEmailChangePage: {
    parameters: {
      query: {
        /** @description The one-time token from the email change link. */
        token: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The confirmation page. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Invalid, used, replaced or expired link. */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service is down. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  confirmEmailChangeForm: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/x-www-form-urlencoded': {
          token: string;
        };
      };
    };
    responses: {
      /** @description Changed. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Invalid, used, replaced or expired link (or an unreadable form). */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Another account took the address meanwhile; nothing changed. */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description The form is too large. */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Not a form. */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      /** @description Too many attempts from this client. */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
      /** @description A backing service is down. */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
    };
  };
  avatarFile: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description File name from a user's avatarUrl or a contact's photoUrl. */
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The image. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'image/png': unknown;
          'image/jpeg': unknown;
          'image/webp': unknown;
          'image/gif': unknown;
        };
      };
      404: components['responses']['NotFound'];
      431: components['responses']['HeadersTooLarge'];
    };
  };
  health: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Alive. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Health'];
        };
      };
      431: components['responses']['HeadersTooLarge'];
    };
  };
  ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every check answered. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Ready'];
        };
      };
      431: components['responses']['HeadersTooLarge'];
      503: components['responses']['ServiceUnavailable'];
    };
  };
  openApi: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description OpenAPI 3.1. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': Record<string, never>;
        };
      };
      431: components['responses']['HeadersTooLarge'];
    };
  };
  docs: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The documentation page. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/html': string;
        };
      };
      431: components['responses']['HeadersTooLarge'];
    };
  };
}
