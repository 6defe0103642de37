// The OIDC popup's landing page: hands the authorization response to the console that opened it.
import { UserManager } from "oidc-client-ts";

new UserManager({ authority: "", client_id: "", redirect_uri: "" }).signinPopupCallback().catch((error: unknown) => {
  const main = document.querySelector("main");
  if (main) main.textContent = `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`;
});
