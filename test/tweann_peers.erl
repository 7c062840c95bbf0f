%% Test helper: peer nodes on this host for the cluster tests.
%%
%% The EUnit node is made distributed (short names, epmd started if needed)
%% for the duration of a fixture, and peers are started with OTP's `peer'
%% with this run's code path and cookie, and the tweann_nif application
%% running. Peers are not linked to the caller, so stopping one (a node
%% going down) does not take the fixture with it.
-module(tweann_peers).

-export([ensure_distributed/0, stop_distribution/1, start/2, start_one/1, start_named/1, stop/1,
         code_path/0]).

ensure_distributed() ->
    case node() of
        nonode@nohost ->
            _ = os:cmd("epmd -daemon"),
            Name = list_to_atom("tweann_eunit_" ++ os:getpid()),
            case net_kernel:start([Name, shortnames]) of
                {ok, _} -> started;
                {error, Why} -> error({cannot_start_distribution, Why})
            end;
        _ ->
            already
    end.

stop_distribution(started) -> _ = net_kernel:stop(), ok;
stop_distribution(already) -> ok.

%% N peers named Prefix1..PrefixN (made unique per run): [{Peer, Node}].
start(Prefix, N) ->
    [start_one(Prefix ++ integer_to_list(I)) || I <- lists:seq(1, N)].

start_one(Prefix) ->
    start_named(lists:flatten([Prefix, "_", os:getpid(), "_",
                               integer_to_list(erlang:unique_integer([positive]))])).

%% A peer with exactly this name (the part before the @).
start_named(Name) ->
    {ok, Peer, Node} = peer:start(#{name => list_to_atom(Name),
                                    %% No busy-waiting schedulers: the peers
                                    %% share this host's cores with the tests.
                                    args => ["+sbwt", "none", "+sbwtdcpu", "none",
                                             "+sbwtdio", "none",
                                             "-setcookie", atom_to_list(erlang:get_cookie()),
                                             "-pa" | code_path()],
                                    wait_boot => 60000}),
    {ok, _} = erpc:call(Node, application, ensure_all_started, [tweann_nif], 60000),
    {Peer, Node}.

stop(Peers) ->
    [catch peer:stop(P) || {P, _} <- Peers],
    ok.

%% This run's code directories that are not OTP's own.
code_path() ->
    Root = code:root_dir(),
    [D || D <- code:get_path(), D =/= ".", not lists:prefix(Root, D), filelib:is_dir(D)].
