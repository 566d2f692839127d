export const HELP = `hyperion: an edge-first peer-to-peer fabric for AI workloads

usage: hyperion COMMAND [flags]

commands:
  init        create the data dir, node key and config
              [--region R] [--zone Z] [--geography G] [--provider aws|gcp|azure|onprem|edge]
              [--label k=v]... [--price-per-hour N] [--spot] [--listen MA]... [--priority N]
              [--telemetry-interval 2s] [--force]
  fabric create
              make this node the first admin of a new fabric (the daemon must be stopped)
  fabric token [--ttl 24h] [--role member|admin] [--region R]
              print a join token signed by this node (ask the running daemon)
  start       run the daemon in the foreground until Ctrl-C
              [--bootstrap MA]... [--join-token T] [--listen MA]... [--admin-socket PATH]
              [--metrics HOST:PORT] [--log-level L]
              with no fabric and no token, creates a single-node fabric and prints how to join it
  status      this node: peer id, fabric, membership, region, peers, addresses, version
  peers       connected fabric members: peer id, region, role, RTT, address
  nodes       the nodes of this node's region with their latest telemetry
  apply -f FILE|-
              create or update a workload from a manifest (YAML or JSON; - reads stdin);
              prints its name and generation once it is stored durably on this node
  get workloads | get workload NAME
              desired and observed state: replicas wanted/running, phase, pending reason
  describe workload NAME
              the above plus the workload's events
  delete workload NAME
              delete a workload fabric-wide
  simulate --scenario FILE [--policy NAME]... [--seed N]
              run the placement simulator on a scenario file (no daemon needed);
              policies: static, spread, binpack, greedy, learned, optimal
  help        this text
  --version   print the version

flags every command takes:
  --data-dir DIR       default $HYPERION_DATA_DIR, else ~/.hyperion
  --admin-socket PATH  default <data-dir>/admin.sock
  --json               print one JSON document on stdout (commands that print data)

environment: HYPERION_CLOUD_METADATA=off skips cloud metadata probes;
  HYPERION_METADATA_URL_AWS|GCP|AZURE=URL points them elsewhere

exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 daemon not reachable`
