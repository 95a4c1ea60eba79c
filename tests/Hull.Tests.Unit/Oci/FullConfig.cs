namespace Hull.Tests.Unit.Oci;

/// <summary>A config.json that sets every field of the model, written as runc would write it (Go field order, sorted maps, tabs).</summary>
internal static class FullConfig
{
    public const string Json = """
    {
    	"ociVersion": "1.2.0",
    	"process": {
    		"terminal": true,
    		"consoleSize": {
    			"height": 25,
    			"width": 80
    		},
    		"user": {
    			"uid": 1000,
    			"gid": 1000,
    			"umask": 18,
    			"additionalGids": [
    				5,
    				6
    			],
    			"username": "someone"
    		},
    		"args": [
    			"sh",
    			"-c",
    			"echo hello"
    		],
    		"commandLine": "cmd.exe /c echo",
    		"env": [
    			"PATH=/usr/bin:/bin",
    			"TERM=xterm"
    		],
    		"cwd": "/home/someone",
    		"capabilities": {
    			"bounding": [
    				"CAP_AUDIT_WRITE",
    				"CAP_KILL"
    			],
    			"effective": [
    				"CAP_KILL"
    			],
    			"inheritable": [
    				"CAP_NET_RAW"
    			],
    			"permitted": [
    				"CAP_KILL"
    			],
    			"ambient": [
    				"CAP_KILL"
    			]
    		},
    		"rlimits": [
    			{
    				"type": "RLIMIT_NOFILE",
    				"hard": 1024,
    				"soft": 1024
    			},
    			{
    				"type": "RLIMIT_CORE",
    				"hard": 18446744073709551615,
    				"soft": 0
    			}
    		],
    		"noNewPrivileges": true,
    		"apparmorProfile": "hull-default",
    		"oomScoreAdj": -500,
    		"scheduler": {
    			"policy": "SCHED_DEADLINE",
    			"nice": -5,
    			"priority": 10,
    			"flags": [
    				"SCHED_FLAG_RESET_ON_FORK"
    			],
    			"runtime": 10000000,
    			"deadline": 20000000,
    			"period": 30000000
    		},
    		"selinuxLabel": "system_u:system_r:container_t:s0",
    		"ioPriority": {
    			"class": "IOPRIO_CLASS_BE",
    			"priority": 4
    		},
    		"execCPUAffinity": {
    			"initial": "0",
    			"final": "0-3,7"
    		}
    	},
    	"root": {
    		"path": "rootfs",
    		"readonly": true
    	},
    	"hostname": "box",
    	"domainname": "example.org",
    	"mounts": [
    		{
    			"destination": "/proc",
    			"type": "proc",
    			"source": "proc"
    		},
    		{
    			"destination": "/data",
    			"type": "bind",
    			"source": "/srv/data",
    			"options": [
    				"rbind",
    				"idmap"
    			],
    			"uidMappings": [
    				{
    					"containerID": 0,
    					"hostID": 100000,
    					"size": 65536
    				}
    			],
    			"gidMappings": [
    				{
    					"containerID": 0,
    					"hostID": 100000,
    					"size": 65536
    				}
    			]
    		}
    	],
    	"hooks": {
    		"prestart": [
    			{
    				"path": "/usr/bin/prestart",
    				"args": [
    					"prestart",
    					"--flag"
    				],
    				"env": [
    					"A=1"
    				],
    				"timeout": 5
    			}
    		],
    		"createRuntime": [
    			{
    				"path": "/usr/bin/create-runtime"
    			}
    		],
    		"createContainer": [
    			{
    				"path": "/usr/bin/create-container"
    			}
    		],
    		"startContainer": [
    			{
    				"path": "/usr/bin/start-container"
    			}
    		],
    		"poststart": [
    			{
    				"path": "/usr/bin/poststart"
    			}
    		],
    		"poststop": [
    			{
    				"path": "/usr/bin/poststop",
    				"timeout": 0
    			}
    		]
    	},
    	"annotations": {
    		"a.first": "1",
    		"b.second": "ünïcode ✓"
    	},
    	"linux": {
    		"uidMappings": [
    			{
    				"containerID": 0,
    				"hostID": 1000,
    				"size": 1
    			}
    		],
    		"gidMappings": [
    			{
    				"containerID": 0,
    				"hostID": 1000,
    				"size": 1
    			}
    		],
    		"sysctl": {
    			"kernel.domainname": "example.org",
    			"net.ipv4.ip_forward": "1"
    		},
    		"resources": {
    			"devices": [
    				{
    					"allow": false,
    					"access": "rwm"
    				},
    				{
    					"allow": true,
    					"type": "c",
    					"major": 1,
    					"minor": 3,
    					"access": "rw"
    				}
    			],
    			"memory": {
    				"limit": 536870912,
    				"reservation": 268435456,
    				"swap": 1073741824,
    				"kernel": -1,
    				"kernelTCP": 1048576,
    				"swappiness": 60,
    				"disableOOMKiller": false,
    				"useHierarchy": true,
    				"checkBeforeUpdate": true
    			},
    			"cpu": {
    				"shares": 1024,
    				"quota": 100000,
    				"burst": 50000,
    				"period": 100000,
    				"realtimeRuntime": 950000,
    				"realtimePeriod": 1000000,
    				"cpus": "0-1",
    				"mems": "0",
    				"idle": 1
    			},
    			"pids": {
    				"limit": 64
    			},
    			"blockIO": {
    				"weight": 500,
    				"leafWeight": 300,
    				"weightDevice": [
    					{
    						"major": 8,
    						"minor": 0,
    						"weight": 600,
    						"leafWeight": 200
    					}
    				],
    				"throttleReadBpsDevice": [
    					{
    						"major": 8,
    						"minor": 0,
    						"rate": 1048576
    					}
    				],
    				"throttleWriteBpsDevice": [
    					{
    						"major": 8,
    						"minor": 0,
    						"rate": 2097152
    					}
    				],
    				"throttleReadIOPSDevice": [
    					{
    						"major": 8,
    						"minor": 0,
    						"rate": 100
    					}
    				],
    				"throttleWriteIOPSDevice": [
    					{
    						"major": 8,
    						"minor": 0,
    						"rate": 200
    					}
    				]
    			},
    			"hugepageLimits": [
    				{
    					"pageSize": "2MB",
    					"limit": 209715200
    				}
    			],
    			"network": {
    				"classID": 1048577,
    				"priorities": [
    					{
    						"name": "eth0",
    						"priority": 500
    					}
    				]
    			},
    			"rdma": {
    				"mlx5_1": {
    					"hcaHandles": 3,
    					"hcaObjects": 10000
    				}
    			},
    			"unified": {
    				"io.weight": "100",
    				"memory.high": "400000000"
    			}
    		},
    		"cgroupsPath": "/hull/box",
    		"namespaces": [
    			{
    				"type": "pid"
    			},
    			{
    				"type": "network",
    				"path": "/var/run/netns/box"
    			},
    			{
    				"type": "mount"
    			},
    			{
    				"type": "ipc"
    			},
    			{
    				"type": "uts"
    			},
    			{
    				"type": "user"
    			},
    			{
    				"type": "cgroup"
    			},
    			{
    				"type": "time"
    			}
    		],
    		"devices": [
    			{
    				"path": "/dev/fuse",
    				"type": "c",
    				"major": 10,
    				"minor": 229,
    				"fileMode": 438,
    				"uid": 0,
    				"gid": 0
    			}
    		],
    		"seccomp": {
    			"defaultAction": "SCMP_ACT_ERRNO",
    			"defaultErrnoRet": 1,
    			"architectures": [
    				"SCMP_ARCH_X86_64",
    				"SCMP_ARCH_X86"
    			],
    			"flags": [
    				"SECCOMP_FILTER_FLAG_LOG"
    			],
    			"listenerPath": "/run/seccomp-agent.sock",
    			"listenerMetadata": "meta",
    			"syscalls": [
    				{
    					"names": [
    						"read",
    						"write"
    					],
    					"action": "SCMP_ACT_ALLOW"
    				},
    				{
    					"names": [
    						"personality"
    					],
    					"action": "SCMP_ACT_ERRNO",
    					"errnoRet": 38,
    					"args": [
    						{
    							"index": 0,
    							"value": 255,
    							"valueTwo": 8,
    							"op": "SCMP_CMP_MASKED_EQ"
    						},
    						{
    							"index": 1,
    							"value": 0,
    							"op": "SCMP_CMP_EQ"
    						}
    					]
    				}
    			]
    		},
    		"rootfsPropagation": "rslave",
    		"maskedPaths": [
    			"/proc/kcore"
    		],
    		"readonlyPaths": [
    			"/proc/sys"
    		],
    		"mountLabel": "system_u:object_r:container_file_t:s0",
    		"intelRdt": {
    			"closID": "hull",
    			"schemata": "L3:0=ff",
    			"l3CacheSchema": "L3:0=ff",
    			"memBwSchema": "MB:0=50",
    			"enableCMT": true,
    			"enableMBM": true
    		},
    		"personality": {
    			"domain": "LINUX32",
    			"flags": [
    				"SOME_FLAG"
    			]
    		},
    		"timeOffsets": {
    			"boottime": {
    				"secs": -3600
    			},
    			"monotonic": {
    				"secs": 86400,
    				"nanosecs": 500
    			}
    		},
    		"netDevices": {
    			"eth1": {
    				"name": "ctr1"
    			}
    		},
    		"memoryPolicy": {
    			"mode": "MPOL_INTERLEAVE",
    			"nodes": "0-1",
    			"flags": [
    				"MPOL_F_STATIC_NODES"
    			]
    		}
    	}
    }
    """;
}
