// The harness on changes the pack has long refused, and on the compliant baseline they are made to: if these
// fail, the harness (not the gate) is broken.
import { compliantStack } from "../fixtures/lib/compliant-stack";
import { describeAttacks } from "./harness";

describeAttacks("baseline", [
    { name: "the backend runs privileged", blame: "backend", program: () => compliantStack({ container: { backend: { privileged: true } } }) },
    { name: "the database publishes 5432", blame: "database", program: () => compliantStack({ container: { database: { ports: [{ internal: 5432, external: 5432 }] } } }) },
]);
