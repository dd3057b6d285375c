# Environment for rabbitmq-server / rabbitmqctl: everything under the state dir.
export HOME=@DC@/rabbit
export RABBITMQ_NODENAME=rabbit@localhost
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=5672
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT=25672
export RABBITMQ_MNESIA_BASE=@DC@/rabbit/mnesia
export RABBITMQ_LOG_BASE=@DC@/logs/rabbit
export RABBITMQ_PID_FILE=@DC@/run/rabbit-beam.pid
export RABBITMQ_CONFIG_FILE=@DC@/etc/rabbitmq/rabbitmq
export RABBITMQ_ENABLED_PLUGINS_FILE=@DC@/rabbit/enabled_plugins
export RABBITMQ_SERVER_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS=""
