import { Type } from '@sinclair/typebox';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from '../../../domain/password-policy.js';
import { USERNAME_MAX } from '../../../domain/user.js';
import { AppPassword } from './app-passwords.js';
import { Contact } from './contacts.js';
import { Label } from './labels.js';
import { nullable, ref } from './schema.js';
import { TrashedContact } from './sync.js';

const password = (options: object = {}) => Type.String({ format: 'password', ...options });
const email = (options: object = {}) => Type.String({ format: 'email', ...options });
const dateTime = () => Type.String({ format: 'date-time' });

export const User = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    username: Type.String(),
    email: email(),
    emailVerified: Type.Boolean(),
    avatarUrl: Type.String({ description: 'The uploaded avatar, or an identicon until one is uploaded.' }),
    createdAt: dateTime(),
  },
  { $id: 'User' },
);

/** `{ user }`, as signup and the email change answer. */
export const UserEnvelope = Type.Object({ user: ref(User) });

export const SignupRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: USERNAME_MAX }),
    email: email({ description: 'Compared case-insensitively.' }),
    password: password({
      minLength: PASSWORD_MIN_BYTES,
      description: `${PASSWORD_MIN_BYTES}–${PASSWORD_MAX_BYTES} bytes of UTF-8, never truncated, not a well-known password.`,
    }),
  },
  { $id: 'SignupRequest', description: 'Unknown fields (such as emailVerified) are ignored.' },
);

export const LoginRequest = Type.Object({ email: email(), password: password() }, { $id: 'LoginRequest' });

export const LoginForm = Type.Object(
  { username: email(), password: password(), grant_type: Type.Optional(Type.Literal('password')) },
  { $id: 'LoginForm', description: 'The OAuth2 password flow: `username` holds the email.' },
);

export const TokenPair = Type.Object(
  {
    accessToken: Type.String({ description: 'A JWT for `Authorization: Bearer …`.' }),
    refreshToken: Type.String({ description: 'Works once: POST /api/auth/refresh answers a new pair.' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
  },
  { $id: 'TokenPair' },
);

export const RefreshRequest = Type.Object({ refreshToken: Type.String() }, { $id: 'RefreshRequest' });
export const EmailRequest = Type.Object({ email: email() }, { $id: 'EmailRequest' });

export const ResetPasswordRequest = Type.Object(
  {
    token: Type.String({ description: 'The one-time token from the reset link.' }),
    password: password({
      minLength: PASSWORD_MIN_BYTES,
      description: `${PASSWORD_MIN_BYTES}–${PASSWORD_MAX_BYTES} bytes of UTF-8, not a well-known password.`,
    }),
  },
  { $id: 'ResetPasswordRequest' },
);

export const VerifyEmailResponse = Type.Object({ message: Type.String(), user: ref(User) }, { $id: 'VerifyEmailResponse' });

export const AvatarUpload = Type.Object(
  {
    avatar: Type.String({
      contentMediaType: 'application/octet-stream',
      description: 'PNG, JPEG, WebP or GIF, judged by content; at most AVATAR_MAX_BYTES.',
    }),
  },
  { $id: 'AvatarUpload' },
);

export const UsernameRequest = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: USERNAME_MAX, description: 'Trimmed; no control characters.' }) },
  { $id: 'UsernameRequest' },
);

export const ChangePasswordRequest = Type.Object(
  {
    currentPassword: password(),
    newPassword: password({ minLength: PASSWORD_MIN_BYTES, description: 'Same rules as signup; must differ from the current one.' }),
  },
  { $id: 'ChangePasswordRequest' },
);

export const EmailChangeRequest = Type.Object({ newEmail: email(), currentPassword: password() }, { $id: 'EmailChangeRequest' });

export const TokenRequest = Type.Object({ token: Type.String({ description: 'The one-time token from the emailed link.' }) }, { $id: 'TokenRequest' });

export const PasswordRequest = Type.Object({ password: password() }, { $id: 'PasswordRequest' });

export const Session = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    createdAt: dateTime(),
    lastUsedAt: Type.String({ format: 'date-time', description: 'Last use of one of its tokens; up to a minute behind.' }),
    userAgent: nullable(Type.String({ maxLength: 256, description: 'The User-Agent of the login, control characters removed.' })),
    current: Type.Boolean({ description: 'The session this request came with.' }),
  },
  { $id: 'Session', description: 'A login (one refresh-token chain). Never shows a token or a hash.' },
);

export const SessionList = Type.Object({ items: Type.Array(ref(Session), { description: 'Live sessions, newest first.' }) }, { $id: 'SessionList' });

export const AccountExport = Type.Object(
  {
    exportedAt: dateTime(),
    user: ref(User),
    contacts: Type.Array(ref(Contact), { description: 'Every contact, oldest first.' }),
    trash: Type.Array(ref(TrashedContact), { description: 'The contacts in the trash, each with `deletedAt`, most recently deleted first.' }),
    labels: Type.Array(ref(Label), { description: 'Every label of the book with its count, by name.' }),
    groups: Type.Array(
      Type.Object({
        label: Type.String({ description: 'The label the group card names.' }),
        uid: Type.String({ description: "The group card's UID." }),
        vcard: Type.String({ description: 'The group card as vCard 4.0, naming the contacts carrying the label.' }),
      }),
      { description: 'The group cards the book received (import, CardDAV), by label.' },
    ),
    sessions: Type.Array(
      Type.Unsafe({
        allOf: [ref(Session), Type.Object({ expiresAt: dateTime(), revokedAt: nullable(Type.String({ format: 'date-time' })) })],
      }),
      { description: 'Every session stored, ended ones included, newest first.' },
    ),
    appPasswords: Type.Array(ref(AppPassword), { description: 'Every app password, newest first; never the password.' }),
  },
  { $id: 'AccountExport' },
);

/** The named schemas of the accounts' routes, in the document's order. */
export const USER_SCHEMAS = [
  User,
  SignupRequest,
  LoginRequest,
  LoginForm,
  TokenPair,
  RefreshRequest,
  EmailRequest,
  ResetPasswordRequest,
  VerifyEmailResponse,
  AvatarUpload,
  UsernameRequest,
  ChangePasswordRequest,
  EmailChangeRequest,
  TokenRequest,
  PasswordRequest,
  Session,
  SessionList,
  AccountExport,
];
