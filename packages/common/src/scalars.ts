import { DateTimeResolver, EmailAddressResolver, JSONObjectResolver } from "graphql-scalars";

/** The contract's scalars, one instance each so every subgraph prints them identically. */
export const DateTime = DateTimeResolver;
export const EmailAddress = EmailAddressResolver;
export const JSONObject = JSONObjectResolver;

/** type-graphql's scalar map: every `Date` field is a contract DateTime. */
export const scalarsMap = [{ type: Date, scalar: DateTimeResolver }];
