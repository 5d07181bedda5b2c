// The gate's closed world (issue 22 items 1-2): every resource type the pack knows, and for each of its input
// fields whether it is safe at any value, checked by a named policy, or refused when set. What is not listed here
// is refused (gate-resource-type-known, gate-fields-classified). A field is "safe" only when no value of it can
// weaken a control; "checked" only when the named policy judges every value of it. test/policies/gate/
// schema-classification.test.ts compares this table with the installed SDKs' declarations, so a provider upgrade
// that adds a field fails a test before it can pass the gate unread.
import {
    BUCKET_POLICY_TYPE,
    BUCKET_TYPE,
    COMPONENT_TYPES,
    CONTAINER_TYPE,
    IAM_ACCESS_KEY_TYPE,
    IAM_ROLE_POLICY_TYPE,
    IAM_ROLE_TYPE,
    IAM_USER_POLICY_TYPE,
    IAM_USER_TYPE,
    IMAGE_TYPE,
    KMS_ALIAS_TYPE,
    KMS_KEY_TYPE,
    NETWORK_TYPE,
    PROVIDER_TYPES,
    RANDOM_TYPES,
    S3_COMPANIONS,
    STACK_TYPE,
    VOLUME_TYPE,
} from "bulwark-vocabulary";

export type Scalar = string | number | boolean;

export type Rule =
    /** No value of the field can weaken a control (`why` says why). */
    | { readonly kind: "safe"; readonly why: string; readonly engineAdded?: true }
    /** Every value of the field is judged by these policies (names of the pack's policies). */
    | { readonly kind: "checked"; readonly policies: readonly string[] }
    /**
     * Refused when set. A value in `unless` (the provider Check's default, engine-facts fact 3, or a value that
     * changes nothing) or matching `unlessMatches` is not "set".
     */
    | { readonly kind: "refused"; readonly fix: string; readonly unless?: readonly Scalar[]; readonly unlessMatches?: RegExp }
    /** A nested object, or each element of a list of them: every key is classified in turn. */
    | { readonly kind: "object"; readonly fields: Fields }
    /** A map with keys of the program's choosing: every value follows `values`. */
    | { readonly kind: "map"; readonly values: Rule };

export type Fields = Readonly<Record<string, Rule>>;

export type TypeClass =
    /** A provider resource: its inputs, field by field. */
    | { readonly fields: Fields }
    /** A resource no provider acts on (components, the Stack): its inputs are inert; `why` says why. */
    | { readonly inert: string };


const safe = (why: string): Rule => ({ kind: "safe", why });
const checked = (...policies: string[]): Rule => ({ kind: "checked", policies });
const refused = (fix: string, unless?: readonly Scalar[], unlessMatches?: RegExp): Rule => ({ kind: "refused", fix, unless, unlessMatches });
const object = (fields: Fields): Rule => ({ kind: "object", fields });
const map = (values: Rule): Rule => ({ kind: "map", values });

const METADATA = safe("metadata: the provider grants nothing by it");
const NAME = safe("a name: it selects nothing the program does not create");
const CLIENT = safe("how the provider waits or polls during a deployment; the container's confinement is unchanged");
const INSIDE = safe("acts inside the container's own namespaces, under every other rule");
const LABELS = object({ label: METADATA, value: METADATA });
const REGION = safe("where AWS creates the resource; every rule applies in every region");
const TAGS = map(safe("tags: metadata; a backup tag only adds rules (aws-backup-bucket-hardened)"));
const BUCKET_REF = safe("names the bucket configured; the backup bucket policies relate companions by it");
const EXPECTED_OWNER = safe("a guard: the request fails unless the bucket belongs to this account");
const POLICY_DOC = (policy: string) => checked(policy);

const CONTAINER: Fields = {
    attach: CLIENT,
    capabilities: object({ adds: checked("container-capabilities-dropped"), drops: checked("container-capabilities-dropped") }),
    cgroupParent: checked("container-cgroup-parent"),
    cgroupnsMode: refused("remove `cgroupnsMode`: only Docker's private cgroup namespace is allowed", ["private"]),
    command: INSIDE,
    containerReadRefreshTimeoutMilliseconds: CLIENT,
    cpuPeriod: refused("remove `cpuPeriod` and `cpuQuota`; limit CPU with `cpus`, which container-resource-limits checks"),
    cpuQuota: refused("remove `cpuQuota` and `cpuPeriod`; limit CPU with `cpus`, which container-resource-limits checks"),
    cpuSet: safe("pins the container to a subset of CPUs: it only narrows what `cpus` allows"),
    cpuShares: safe("a relative weight under contention; the hard limit is `cpus`"),
    cpus: checked("container-resource-limits"),
    destroyGraceSeconds: CLIENT,
    deviceCgroupRules: refused("remove `deviceCgroupRules`: they open host devices to the container (CON-07)"),
    deviceReadBps: object({ path: safe("a throttle only: it grants no access to the device"), rate: safe("a throttle only") }),
    deviceReadIops: object({ path: safe("a throttle only: it grants no access to the device"), rate: safe("a throttle only") }),
    deviceRequests: refused("remove `deviceRequests`: they hand host devices (GPUs) to the container (CON-07)"),
    deviceWriteBps: object({ path: safe("a throttle only: it grants no access to the device"), rate: safe("a throttle only") }),
    deviceWriteIops: object({ path: safe("a throttle only: it grants no access to the device"), rate: safe("a throttle only") }),
    devices: checked("container-no-privileged"),
    // Docker's embedded resolver still answers container names on user-defined networks; other names go to these
    // servers, which the container could reach anyway through its networks.
    dns: safe("upstream resolvers for names Docker's embedded DNS does not answer; they reach no network the container is not on"),
    dnsOpts: safe("resolver options; no access granted"),
    dnsSearches: safe("search domains; no access granted"),
    domainname: INSIDE,
    entrypoints: INSIDE,
    envs: checked("secret-env-not-inline"),
    gpus: refused("remove `gpus`: it hands host GPUs to the container (CON-07)"),
    groupAdds: refused("remove `groupAdds`: supplementary groups (0, docker, disk) give host-level access; run as the image's own user and group"),
    healthcheck: object({
        tests: checked("container-health-check"),
        interval: checked("container-health-check"),
        timeout: checked("container-health-check"),
        startPeriod: checked("container-health-check"),
        startInterval: safe("how often Docker probes during the start period; no access granted"),
        retries: safe("how many failed probes mark the container unhealthy; no access granted"),
    }),
    hostname: INSIDE,
    // An /etc/hosts entry can point the service names (database, backend) at an address outside the stack.
    hosts: refused("remove `hosts`: an extra /etc/hosts entry can send a service name (the database's) to another host; use network aliases"),
    image: checked("container-image-trusted-source", "container-image-immutable"),
    init: INSIDE,
    ipcMode: refused("remove `ipcMode` (or set \"private\"): sharing IPC with the host or another container shares its memory", ["private", "none"]),
    labels: LABELS,
    logDriver: checked("container-log-rotation"),
    logOpts: checked("container-log-rotation"),
    logs: CLIENT,
    maxRetryCount: safe("how often Docker restarts the container; no access granted"),
    memory: checked("container-resource-limits"),
    memoryReservation: safe("a soft reservation below the hard limit `memory`"),
    memorySwap: checked("container-resource-limits"),
    mounts: object({
        bindOptions: object({ propagation: checked("container-mount-propagation") }),
        readOnly: safe("only narrows what the mount allows"),
        source: checked("container-no-sensitive-host-mounts"),
        target: safe("a path inside the container"),
        tmpfsOptions: object({ mode: INSIDE, sizeBytes: safe("counted against the container's memory limit") }),
        type: checked("container-no-sensitive-host-mounts"),
        volumeOptions: object({
            driverName: refused("remove `volumeOptions.driverName`: a volume driver chosen by the mount can reach anything on the host; declare a docker.Volume", ["local"]),
            driverOptions: refused("remove `volumeOptions.driverOptions`: driver options can bind any host path (o=bind, device=/); declare a docker.Volume"),
            labels: LABELS,
            noCopy: safe("skips copying the image's files into a new volume"),
            subpath: safe("a path inside the volume; Docker refuses one that leaves it"),
        }),
    }),
    mustRun: CLIENT,
    name: NAME,
    // Check fills in "bridge" on every container with networksAdvanced (engine-facts fact 3); "none" has no network.
    networkMode: refused("remove `networkMode`: join user-defined networks with `networksAdvanced` (host, container:<id> and other networks bypass the network rules)", ["bridge", "none"]),
    networksAdvanced: object({
        aliases: safe("names other containers on the network resolve to this one"),
        driverOpts: refused("remove `networksAdvanced[].driverOpts`: endpoint driver options are not checked"),
        gwPriority: safe("which network's gateway is the default route; the networks themselves are checked"),
        ipv4Address: refused("remove `networksAdvanced[].ipv4Address`: a fixed address can take another service's address; let Docker assign it"),
        ipv6Address: refused("remove `networksAdvanced[].ipv6Address`: a fixed address can take another service's address; let Docker assign it"),
        linkLocalIps: refused("remove `networksAdvanced[].linkLocalIps`: extra link-local addresses are not checked"),
        macAddress: refused("remove `networksAdvanced[].macAddress`: a fixed MAC can impersonate another endpoint"),
        name: checked("network-user-defined", "network-data-network-internal"),
    }),
    pidMode: refused("remove `pidMode`: sharing the host's or another container's process table breaks isolation (CON-09)"),
    platform: safe("selects the image variant; the image itself is checked"),
    ports: object({
        external: checked("network-only-proxy-publishes-ports"),
        internal: safe("the port inside the container; what is published is `external` and `ip`"),
        ip: checked("network-published-ports-bound"),
        protocol: safe("tcp, udp or sctp on a port the publishing rules allow"),
    }),
    privileged: checked("container-no-privileged"),
    publishAllPorts: checked("network-only-proxy-publishes-ports"),
    readOnly: checked("container-read-only-root"),
    removeVolumes: CLIENT,
    restart: checked("container-restart-policy"),
    rm: CLIENT,
    runtime: refused("remove `runtime`: another OCI runtime is not the confinement the pack checks (runc)", ["runc"]),
    securityOpts: checked("container-no-new-privileges"),
    shmSize: safe("the size of /dev/shm, counted against the container's memory limit"),
    start: CLIENT,
    stdinOpen: INSIDE,
    stopSignal: INSIDE,
    stopTimeout: CLIENT,
    storageOpts: refused("remove `storageOpts`: storage-driver options are not checked"),
    sysctls: refused("remove `sysctls`: kernel parameters change the namespace the container shares with others (net.*) or the host"),
    tmpfs: map(safe("a memory-backed mount inside the container, counted against its memory limit")),
    tty: INSIDE,
    ulimits: object({ hard: checked("container-process-limits"), name: checked("container-process-limits"), soft: checked("container-process-limits") }),
    uploads: object({
        content: INSIDE,
        contentBase64: INSIDE,
        executable: INSIDE,
        file: safe("a path inside the container's file system"),
        group: INSIDE,
        owner: INSIDE,
        permissions: INSIDE,
        source: refused("remove `uploads[].source`: it copies a file of the deploying machine into the container; use `content`"),
        sourceHash: safe("a change trigger for `source`"),
    }),
    user: checked("container-non-root-user"),
    usernsMode: refused("remove `usernsMode`: \"host\" disables user-namespace remapping (CON-09)"),
    volumes: object({
        containerPath: safe("a path inside the container"),
        // Docker binds a volumeName that is a path; a name by Docker's own rule for volume names is never one.
        volumeName: refused("use a volume name (Docker's [a-zA-Z0-9][a-zA-Z0-9_.-]+), never a path: Docker binds a path from the host", undefined, /^[A-Za-z0-9][A-Za-z0-9_.-]+$/),
        hostPath: refused("remove `volumes[].hostPath`: mount a docker.Volume with `mounts` instead of a host path"),
        fromContainer: refused("remove `volumes[].fromContainer`: it mounts every volume of another container (the database's data)"),
        readOnly: safe("only narrows what the mount allows"),
        selinuxRelabel: refused("remove `volumes[].selinuxRelabel`: relabelling changes the host's labels on the mounted files"),
    }),
    wait: CLIENT,
    waitTimeout: CLIENT,
    workingDir: INSIDE,
};

const NETWORK: Fields = {
    attachable: refused("remove `attachable`: it lets containers outside the stack (docker run) join the network", [false]),
    // Check of a TF-bridged provider may still send the deprecated flag; it only refuses duplicate names.
    checkDuplicate: { kind: "safe", why: "refuses a duplicate network name; nothing granted", engineAdded: true },
    driver: refused("use the `bridge` driver: macvlan, ipvlan, overlay and host put containers on other networks", ["bridge"]),
    ingress: refused("remove `ingress`: the swarm routing mesh publishes services outside the pack's port rules", [false]),
    internal: checked("network-data-network-internal", "network-database-internal-only"),
    ipamConfigs: refused("remove `ipamConfigs`: let Docker assign the subnet (a chosen one can overlap the host's networks)"),
    ipamDriver: refused("remove `ipamDriver`: only Docker's default IPAM is checked", ["default"]),
    ipamOptions: refused("remove `ipamOptions`: IPAM driver options are not checked"),
    ipv6: refused("remove `ipv6`: published ports and internal networks are checked for IPv4 only", [false]),
    labels: LABELS,
    name: NAME,
    options: refused("remove `options`: bridge driver options change masquerading, binding addresses and isolation"),
};

const VOLUME: Fields = {
    cluster: refused("remove `cluster`: swarm cluster volumes are not checked"),
    driver: refused("use the `local` driver: other volume drivers can reach anything on the host", ["local"]),
    driverOpts: refused("remove `driverOpts`: the local driver's options bind host paths (o=bind, device=/etc)"),
    labels: LABELS,
    name: NAME,
};

const IMAGE: Fields = {
    build: object({
        addHosts: refused("remove `build.addHosts`: extra hosts during the build can redirect the base image's sources"),
        args: checked("container-image-provenance"),
        builderVersion: safe("BuildKit or the classic builder; the result is judged as an image"),
        cacheFrom: refused("remove `build.cacheFrom`: cache layers from another image bypass the pinned base image"),
        context: safe("the build context: the deployer's own files, read by the deployer's daemon; the built image is judged by container-image-provenance"),
        // Check fills in the context's digest (engine-facts fact 3).
        contextDigest: { kind: "safe", why: "the provider's digest of the build context", engineAdded: true },
        dockerfile: checked("container-image-provenance"),
        network: refused("remove `build.network`: a build on the host network reaches services on the host", ["default"]),
        platform: safe("the target platform; Check fills it in (engine-facts fact 3)"),
        target: safe("a stage of the Dockerfile, whose FROM lines container-image-provenance checks"),
    }),
    buildOnPreview: CLIENT,
    imageName: checked("container-image-provenance"),
    registry: refused("remove `registry` and keep `skipPush: true`: pushing needs registry credentials in the program"),
    skipPush: CLIENT,
};

const RANDOM_CHARSET = (flag: string) =>
    refused(`remove \`${flag}: false\`: a smaller alphabet weakens the generated secret (secret-generated-strength checks its length only)`, [true]);

const RANDOM_STRING: Fields = {
    keepers: map(safe("values whose change regenerates the secret")),
    length: checked("secret-generated-strength"),
    lower: RANDOM_CHARSET("lower"),
    minLower: safe("a minimum count: it never removes characters from the alphabet"),
    minNumeric: safe("a minimum count: it never removes characters from the alphabet"),
    minSpecial: safe("a minimum count: it never removes characters from the alphabet"),
    minUpper: safe("a minimum count: it never removes characters from the alphabet"),
    number: RANDOM_CHARSET("number"),
    numeric: RANDOM_CHARSET("numeric"),
    overrideSpecial: refused("remove `overrideSpecial`: it can shrink the alphabet to a few characters"),
    special: safe("adds special characters to the alphabet"),
    upper: RANDOM_CHARSET("upper"),
};

// The engine sends a provider its plugin version among the inputs (engine-facts fact 7); the SDK has no such arg.
const PROVIDER_VERSION: Rule = { kind: "safe", why: "the plugin version the engine loads", engineAdded: true };

const DOCKER_PROVIDER: Fields = {
    version: PROVIDER_VERSION,
    caMaterial: refused("remove `caMaterial`: TLS material is for a remote daemon; deploy to the local one"),
    certMaterial: refused("remove `certMaterial`: TLS material is for a remote daemon; deploy to the local one"),
    certPath: refused("remove `certPath`: TLS material is for a remote daemon; deploy to the local one"),
    context: refused("remove `context`: a Docker context selects another daemon"),
    disableDockerDaemonCheck: CLIENT,
    host: refused("remove `host` (docker:host): the stack deploys to the local daemon at unix:///var/run/docker.sock", ["unix:///var/run/docker.sock"]),
    keyMaterial: refused("remove `keyMaterial`: TLS material is for a remote daemon; deploy to the local one"),
    registryAuth: refused("remove `registryAuth`: registry credentials belong to the deploying machine's docker login, not the program"),
    sshOpts: refused("remove `sshOpts`: SSH options are for a remote daemon; deploy to the local one"),
};

const AWS_CREDENTIALS = "remove it: the deploying identity comes from the environment (AWS_PROFILE, OIDC), never from the program";

const AWS_PROVIDER: Fields = {
    version: PROVIDER_VERSION,
    accessKey: refused(`\`accessKey\`: ${AWS_CREDENTIALS}`),
    allowedAccountIds: safe("a guard: the provider refuses other accounts"),
    assumeRoleWithWebIdentity: refused(`\`assumeRoleWithWebIdentity\`: ${AWS_CREDENTIALS}`),
    assumeRoles: refused(`\`assumeRoles\`: ${AWS_CREDENTIALS}`),
    customCaBundle: refused("remove `customCaBundle`: a custom CA lets another server answer as AWS"),
    defaultTags: object({ tags: TAGS }),
    ec2MetadataServiceEndpoint: refused("remove `ec2MetadataServiceEndpoint`: credentials would come from another endpoint"),
    ec2MetadataServiceEndpointMode: safe("IPv4 or IPv6 for the metadata service"),
    endpoints: refused("remove `endpoints`: API calls (and signed credentials) would go to another server"),
    forbiddenAccountIds: safe("a guard: the provider refuses these accounts"),
    httpProxy: refused("remove `httpProxy`: API calls would pass through another server"),
    httpsProxy: refused("remove `httpsProxy`: API calls would pass through another server"),
    ignoreTags: refused("remove `ignoreTags`: tags the pack reads (bulwark:purpose) would not reach AWS"),
    insecure: refused("remove `insecure`: TLS verification of AWS endpoints must stay on", [false]),
    maxRetries: CLIENT,
    noProxy: safe("exempts hosts from a proxy, which is itself refused"),
    profile: safe("selects the deploying machine's credentials; the resources are checked whoever creates them"),
    region: REGION,
    retryMode: CLIENT,
    s3UsEast1RegionalEndpoint: safe("which us-east-1 S3 endpoint of AWS is called"),
    s3UsePathStyle: safe("URL style of S3 requests to AWS"),
    secretKey: refused(`\`secretKey\`: ${AWS_CREDENTIALS}`),
    sharedConfigFiles: refused(`\`sharedConfigFiles\`: ${AWS_CREDENTIALS}`),
    sharedCredentialsFiles: refused(`\`sharedCredentialsFiles\`: ${AWS_CREDENTIALS}`),
    skipCredentialsValidation: CLIENT,
    skipMetadataApiCheck: CLIENT,
    skipRegionValidation: CLIENT,
    skipRequestingAccountId: CLIENT,
    stsRegion: safe("the region of AWS's STS endpoint"),
    tagPolicyCompliance: safe("how tag-policy violations are reported"),
    token: refused(`\`token\`: ${AWS_CREDENTIALS}`),
    tokenBucketRateLimiterCapacity: CLIENT,
    useDualstackEndpoint: safe("AWS's dual-stack endpoints"),
    useFipsEndpoint: safe("AWS's FIPS endpoints"),
    userAgents: METADATA,
};

const S3_INLINE = (what: string, resource: string) =>
    refused(`remove the bucket's inline \`${what}\`: configure it with ${resource}, which the backup bucket policies check`);

const BUCKET: Fields = {
    accelerationStatus: safe("Transfer Acceleration: a faster path to the same bucket"),
    acl: checked("aws-s3-bucket-no-public-acl"),
    bucket: NAME,
    bucketNamespace: NAME,
    bucketPrefix: NAME,
    corsRules: S3_INLINE("corsRules", "aws.s3.BucketCorsConfiguration (not checked: leave CORS off)"),
    forceDestroy: refused("remove `forceDestroy`: destroying the stack must not delete the backups in the bucket", [false]),
    grants: checked("aws-s3-bucket-no-public-acl"),
    lifecycleRules: S3_INLINE("lifecycleRules", "aws.s3.BucketLifecycleConfiguration"),
    logging: S3_INLINE("logging", "aws.s3.BucketLogging"),
    objectLockConfiguration: S3_INLINE("objectLockConfiguration", "aws.s3.BucketObjectLockConfiguration (not checked)"),
    objectLockEnabled: safe("object lock only protects objects from deletion"),
    policy: S3_INLINE("policy", "aws.s3.BucketPolicy"),
    region: REGION,
    replicationConfiguration: S3_INLINE("replicationConfiguration", "aws.s3.BucketReplicationConfig"),
    requestPayer: safe("who pays for requests"),
    serverSideEncryptionConfiguration: S3_INLINE("serverSideEncryptionConfiguration", "aws.s3.BucketServerSideEncryptionConfiguration"),
    tags: TAGS,
    versioning: S3_INLINE("versioning", "aws.s3.BucketVersioning"),
    website: S3_INLINE("website", "nothing: a backup stack serves no website"),
};

const AWS_TYPES: Readonly<Record<string, Fields>> = {
    [BUCKET_TYPE]: BUCKET,
    [S3_COMPANIONS.ownershipControls[0]]: { bucket: BUCKET_REF, region: REGION, rule: object({ objectOwnership: refused("set `objectOwnership: \"BucketOwnerEnforced\"`: any other setting re-enables ACLs", ["BucketOwnerEnforced"]) }) },
    [S3_COMPANIONS.publicAccessBlock[0]]: {
        blockPublicAcls: checked("aws-backup-bucket-hardened"),
        blockPublicPolicy: checked("aws-backup-bucket-hardened"),
        bucket: BUCKET_REF,
        ignorePublicAcls: checked("aws-backup-bucket-hardened"),
        region: REGION,
        restrictPublicBuckets: checked("aws-backup-bucket-hardened"),
        skipDestroy: safe("keeps the block when the resource is destroyed"),
    },
    [S3_COMPANIONS.versioning[0]]: {
        bucket: BUCKET_REF,
        expectedBucketOwner: EXPECTED_OWNER,
        mfa: refused("remove `mfa`: an MFA device serial and code do not belong in the program"),
        region: REGION,
        versioningConfiguration: object({ mfaDelete: safe("MFA delete only protects versions"), status: checked("aws-backup-bucket-hardened") }),
    },
    [S3_COMPANIONS.encryption[0]]: {
        bucket: BUCKET_REF,
        expectedBucketOwner: EXPECTED_OWNER,
        region: REGION,
        rules: checked("aws-backup-bucket-hardened"),
    },
    [S3_COMPANIONS.logging[0]]: {
        bucket: BUCKET_REF,
        expectedBucketOwner: EXPECTED_OWNER,
        region: REGION,
        targetBucket: checked("aws-backup-bucket-hardened"),
        targetGrants: refused("remove `targetGrants`: log objects are readable only by the bucket owner (BucketOwnerEnforced)"),
        targetObjectKeyFormat: safe("how log object keys are named"),
        targetPrefix: safe("a prefix for log object keys"),
    },
    [S3_COMPANIONS.lifecycle[0]]: {
        bucket: BUCKET_REF,
        expectedBucketOwner: EXPECTED_OWNER,
        region: REGION,
        rules: checked("aws-backup-bucket-hardened"),
        timeouts: CLIENT,
        transitionDefaultMinimumObjectSize: safe("which objects transitions apply to"),
    },
    [BUCKET_POLICY_TYPE]: { bucket: BUCKET_REF, policy: POLICY_DOC("aws-bucket-policy-restricts-principals"), region: REGION },
    [S3_COMPANIONS.replication[0]]: {
        bucket: BUCKET_REF,
        region: REGION,
        role: checked("aws-backup-bucket-replication"),
        rules: checked("aws-backup-bucket-replication"),
        token: refused("remove `token`: the Object Lock token does not belong in the program"),
    },
    [KMS_KEY_TYPE]: {
        bypassPolicyLockoutSafetyCheck: checked("aws-kms-key-lockout-guard"),
        customKeyStoreId: refused("remove `customKeyStoreId`: keys live in AWS KMS, not in a custom key store"),
        customerMasterKeySpec: checked("aws-kms-key-rotation"),
        deletionWindowInDays: checked("aws-kms-key-rotation"),
        description: METADATA,
        enableKeyRotation: checked("aws-kms-key-rotation"),
        isEnabled: safe("a disabled key only denies use"),
        keyUsage: refused("use the default key usage ENCRYPT_DECRYPT", ["ENCRYPT_DECRYPT"]),
        multiRegion: refused("remove `multiRegion`: replica keys in other regions are not checked", [false]),
        policy: refused("remove the key `policy`: the account-default key policy is the one the pack knows; grant use through IAM"),
        region: REGION,
        rotationPeriodInDays: safe("how often the key rotates (enableKeyRotation is checked)"),
        tags: TAGS,
        xksKeyId: refused("remove `xksKeyId`: external key stores are not checked"),
    },
    [KMS_ALIAS_TYPE]: { name: NAME, namePrefix: NAME, region: REGION, targetKeyId: safe("an alias only names a key") },
    [IAM_USER_TYPE]: {
        forceDestroy: safe("removes the user's keys when the user is destroyed"),
        name: NAME,
        path: NAME,
        permissionsBoundary: safe("a boundary only narrows the user's permissions"),
        tags: TAGS,
    },
    [IAM_ROLE_TYPE]: {
        assumeRolePolicy: checked("aws-backup-replication-role-least-privilege"),
        description: METADATA,
        forceDetachPolicies: safe("detaches policies when the role is destroyed"),
        inlinePolicies: checked("aws-backup-replication-role-least-privilege"),
        managedPolicyArns: checked("aws-backup-replication-role-least-privilege"),
        maxSessionDuration: safe("session length of whoever may assume the role (assumeRolePolicy is checked)"),
        name: NAME,
        namePrefix: NAME,
        path: NAME,
        permissionsBoundary: safe("a boundary only narrows the role's permissions"),
        tags: TAGS,
    },
    [IAM_ACCESS_KEY_TYPE]: {
        pgpKey: safe("encrypts the secret in the state"),
        status: safe("an inactive key only denies use"),
        user: safe("the user the key signs as; that user's policies are checked"),
    },
    [IAM_USER_POLICY_TYPE]: { name: NAME, namePrefix: NAME, policy: POLICY_DOC("aws-backup-identity-least-privilege"), user: safe("the user the checked policy is given to") },
    [IAM_ROLE_POLICY_TYPE]: { name: NAME, namePrefix: NAME, policy: POLICY_DOC("aws-backup-replication-role-least-privilege"), role: safe("the role the checked policy is given to") },
};

const INERT_COMPONENT = "a component resource: no provider acts on its inputs; each resource it creates is checked itself";

/** Every resource type the pack knows, by type token. */
export const CLASSIFICATION: Readonly<Record<string, TypeClass>> = {
    [STACK_TYPE]: { inert: "the stack's root resource: its inputs are the program's outputs, which no provider acts on" },
    ...Object.fromEntries(Object.values(COMPONENT_TYPES).map((t) => [t, { inert: INERT_COMPONENT }])),
    [PROVIDER_TYPES.docker]: { fields: DOCKER_PROVIDER },
    [PROVIDER_TYPES.random]: { fields: { version: PROVIDER_VERSION } },
    [PROVIDER_TYPES.aws]: { fields: AWS_PROVIDER },
    [CONTAINER_TYPE]: { fields: CONTAINER },
    [NETWORK_TYPE]: { fields: NETWORK },
    [VOLUME_TYPE]: { fields: VOLUME },
    [IMAGE_TYPE]: { fields: IMAGE },
    [RANDOM_TYPES.bytes]: { fields: { keepers: map(safe("values whose change regenerates the secret")), length: checked("secret-generated-strength") } },
    [RANDOM_TYPES.password]: { fields: RANDOM_STRING },
    [RANDOM_TYPES.string]: { fields: RANDOM_STRING },
    [RANDOM_TYPES.id]: {
        fields: { byteLength: checked("secret-generated-strength"), keepers: map(safe("values whose change regenerates the secret")), prefix: safe("a plain prefix before the random part") },
    },
    ...Object.fromEntries(Object.entries(AWS_TYPES).map(([t, fields]) => [t, { fields }])),
};

/** Types refused with a reason of their own (any other unknown type gets the general message). */
export const REFUSED_TYPES: Readonly<Record<string, string>> = {
    "docker:index/service:Service": "a swarm service runs containers that no container rule sees; use docker.Container",
    "docker:index/plugin:Plugin": "a Docker plugin runs with the host privileges it asks for",
    "docker:index/secret:Secret": "swarm secrets serve only swarm services, which are refused; pass secrets as Pulumi secrets in env",
    "docker:index/serviceConfig:ServiceConfig": "swarm configs serve only swarm services, which are refused",
    "docker:index/registryImage:RegistryImage": "pushing images needs registry credentials in the program; build with docker.Image and skipPush",
    "docker:index/remoteImage:RemoteImage": "a pulled image bypasses the image rules; reference it by digest in docker.Container's `image`",
    "docker:index/tag:Tag": "a tag re-points an image name the pack has checked to another image",
    "docker:index/buildxBuilder:BuildxBuilder": "a buildx builder can run builds with host privileges (network=host, security.insecure)",
    "pulumi-nodejs:dynamic:Resource": "a dynamic provider runs arbitrary code on the deploying machine (e.g. `docker run --privileged`) that no policy sees",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "a managed policy attached to a stack identity is not checked; give the identity an inline aws.iam.RolePolicy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "a managed policy attached to a stack identity is not checked; give the identity an inline aws.iam.UserPolicy",
    "aws:iam/policyAttachment:PolicyAttachment": "a managed policy attached to stack identities is not checked; use an inline policy",
};

/** Every policy name the classification refers to (the metadata test checks each exists in the pack). */
export function referencedPolicies(): Set<string> {
    const names = new Set<string>();
    const visit = (rule: Rule) => {
        if (rule.kind === "checked") {
            rule.policies.forEach((p) => names.add(p));
        } else if (rule.kind === "object") {
            Object.values(rule.fields).forEach(visit);
        } else if (rule.kind === "map") {
            visit(rule.values);
        }
    };
    for (const c of Object.values(CLASSIFICATION)) {
        if ("fields" in c) {
            Object.values(c.fields).forEach(visit);
        }
    }
    return names;
}
