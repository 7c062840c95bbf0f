%% The compiled network of the Erlang reference (tweann_ref_network),
%% shared with tweann_ref_codec, which writes and rebuilds it.

%% Values of one evaluation live in a tuple of chunks of ?CHUNK floats: a
%% node update copies one chunk and the (short) outer tuple, not every value.
-define(CHUNK, 32).
-define(MAX_INDEX, 16#FFFFFFFF).

-type program_node() :: {non_neg_integer(), pos_integer(), pos_integer(), op(), float(),
                         [{pos_integer(), pos_integer(), float()}]}.

-record(tweann_ref_net, {
    input_count :: non_neg_integer(),
    %% One entry per node position: in | slot | zero (initial value source).
    template :: [in | slot | zero],
    %% Non-input nodes in list order.
    program :: [program_node()],
    outputs :: [hilo()],
    slots :: [hilo()],
    state_size :: non_neg_integer(),
    info :: #{atom() => non_neg_integer()}
}).

-type op() :: tweann_ref_activation:activation() | {cfc | ltc, float(), float()}.
-type hilo() :: {pos_integer(), pos_integer()}.
