%% The compiled network of the Erlang reference (tweann_ref_network),
%% shared with tweann_ref_codec, which writes it.

%% Values of one evaluation live in a tuple of chunks of ?CHUNK floats: a
%% node update copies one chunk and the (short) outer tuple, not every value.
-define(CHUNK, 32).
-define(MAX_INDEX, 16#FFFFFFFF).

%% A connection: the source's value is element(Lo, element(Hi, Values)).
-type conn() :: {pos_integer(), pos_integer(), float()}.

%% {Index, Hi, Lo, Op, Bias, Conns}: a non-input node in list order.
-type program_node() :: {non_neg_integer(), pos_integer(), pos_integer(), op(), float(),
                         [conn()]}.

-type state_model() :: organelles | forward_refs.
%% What holds state: the organelles only, or also the sources of forward
%% references (`tweann_nif:compile_network/4').

-record(tweann_ref_net, {
    input_count :: non_neg_integer(),
    model :: state_model(),
    %% One entry per node position, its value at the start of a step: the
    %% next input (in), its state value (held), 0.0 for a slot that is not
    %% preloaded (slot) or for any other node (zero).
    template :: [in | held | slot | zero],
    %% Non-input nodes in list order (delays included: pass 2 skips them).
    program :: [program_node()],
    outputs :: [hilo()],
    %% One entry per state slot, in slot order: the node's position, or a
    %% delay's capture.
    slots :: [slot()],
    state_size :: non_neg_integer(),
    %% Nodes read by a forward reference (for network_info's bytes).
    fwd_sources :: non_neg_integer(),
    info :: #{atom() => non_neg_integer() | state_model()}
}).

%% An ordinary node's activation, or an organelle with its parameters and
%% its slot number K (1-based).
-type op() :: tweann_ref_activation:activation() | delay
            | {leaky, float(), pos_integer()}
            | {cfc | ltc, float(), float(), pos_integer()}.
-type hilo() :: {pos_integer(), pos_integer()}.
-type slot() :: hilo() | {capture, non_neg_integer(), float(), [conn()]}.
