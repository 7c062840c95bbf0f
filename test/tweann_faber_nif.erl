%% Test helper: faber-tweann 2.4's own NIF (module faber_nn_nifs), for the
%% live comparisons of the tests and the faber column of bench_weights. It
%% is available when the environment variable TWEANN_FABER_NIF_DIR names a
%% directory holding ebin/faber_nn_nifs.beam and priv/libfaber_nn_nifs.so.
-module(tweann_faber_nif).

-export([available/0, status/0]).

%% True when faber_nn_nifs is loaded from TWEANN_FABER_NIF_DIR.
available() ->
    case os:getenv("TWEANN_FABER_NIF_DIR") of
        Dir when Dir =:= false; Dir =:= "" -> false;
        Dir ->
            _ = code:add_patha(filename:join(Dir, "ebin")),
            code:ensure_loaded(faber_nn_nifs) =:= {module, faber_nn_nifs}
                andalso (catch faber_nn_nifs:is_loaded()) =:= true
    end.

%% Where the faber NIF comes from, or why it is skipped.
status() ->
    case available() of
        true -> "faber_nn_nifs from " ++ os:getenv("TWEANN_FABER_NIF_DIR");
        false -> "skipped, TWEANN_FABER_NIF_DIR not set or not loadable"
    end.
